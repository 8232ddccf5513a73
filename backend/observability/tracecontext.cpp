// SPDX-License-Identifier: MIT
// traceparent parsing and random trace and span id generation.
#include "backend/observability/tracecontext.h"

#include <array>
#include <random>

namespace colophon {

namespace {

constexpr std::size_t kTraceparentLength = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2
constexpr char kHexDigits[] = "0123456789abcdef";

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; // uppercase is not allowed by the spec
}

bool isLowerHex(std::string_view s)
{
    for (const char c : s) {
        if (hexValue(c) < 0)
            return false;
    }
    return true;
}

bool isAllZero(std::string_view s)
{
    return s.find_first_not_of('0') == std::string_view::npos;
}

std::mt19937_64 &engine()
{
    thread_local std::mt19937_64 e = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(),
                           device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    return e;
}

void appendHex(std::string &out, std::uint64_t v)
{
    for (int shift = 60; shift >= 0; shift -= 4)
        out += kHexDigits[(v >> shift) & 0xf];
}

std::string randomId(int words)
{
    std::string id;
    do {
        id.clear();
        for (int i = 0; i < words; ++i)
            appendHex(id, engine()());
    } while (isAllZero(id));
    return id;
}

} // namespace

std::optional<TraceContext> TraceContext::parse(std::string_view traceparent)
{
    if (traceparent.size() < kTraceparentLength)
        return std::nullopt;
    const std::string_view version = traceparent.substr(0, 2);
    const std::string_view traceId = traceparent.substr(3, 32);
    const std::string_view spanId = traceparent.substr(36, 16);
    const std::string_view flags = traceparent.substr(53, 2);
    if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-')
        return std::nullopt;
    if (!isLowerHex(version) || !isLowerHex(traceId) || !isLowerHex(spanId) || !isLowerHex(flags))
        return std::nullopt;
    if (version == "ff")
        return std::nullopt;
    if (version == "00") {
        if (traceparent.size() != kTraceparentLength)
            return std::nullopt;
    } else if (traceparent.size() > kTraceparentLength && traceparent[kTraceparentLength] != '-') {
        return std::nullopt;
    }
    if (isAllZero(traceId) || isAllZero(spanId))
        return std::nullopt;
    TraceContext ctx;
    ctx.traceId = std::string(traceId);
    ctx.spanId = std::string(spanId);
    ctx.flags = static_cast<std::uint8_t>(hexValue(flags[0]) * 16 + hexValue(flags[1]));
    return ctx;
}

TraceContext TraceContext::generate()
{
    TraceContext ctx;
    ctx.traceId = randomId(2);
    ctx.spanId = randomId(1);
    ctx.flags = 1;
    return ctx;
}

TraceContext TraceContext::child() const
{
    TraceContext ctx;
    ctx.traceId = traceId;
    ctx.flags = flags;
    do {
        ctx.spanId = randomId(1);
    } while (ctx.spanId == spanId);
    return ctx;
}

std::string TraceContext::toTraceparent() const
{
    std::string out;
    out.reserve(kTraceparentLength);
    out += "00-";
    out += traceId;
    out += '-';
    out += spanId;
    out += '-';
    out += kHexDigits[flags >> 4];
    out += kHexDigits[flags & 0xf];
    return out;
}

} // namespace colophon
