// SPDX-License-Identifier: MIT
// W3C Trace Context: parsing, generating and propagating the traceparent header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace colophon {

struct TraceContext
{
    std::string traceId;    // 32 lowercase hex digits, not all zero
    std::string spanId;     // 16 lowercase hex digits, not all zero
    std::uint8_t flags = 1; // trace-flags; bit 0 is "sampled"

    // Strict traceparent parsing: "00-<32 hex>-<16 hex>-<2 hex>", lowercase only.
    // Rejects all-zero ids, version "ff" and wrong lengths. A future version (not
    // 00, not ff) is accepted when its first 55 characters parse and the next
    // character, if any, is '-'.
    static std::optional<TraceContext> parse(std::string_view traceparent);
    // Fresh random trace and span ids, sampled.
    static TraceContext generate();
    // The same trace and flags with a new span id.
    TraceContext child() const;
    // "00-<traceId>-<spanId>-<flags as 2 lowercase hex>".
    std::string toTraceparent() const;
};

} // namespace colophon
