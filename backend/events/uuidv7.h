// SPDX-License-Identifier: MIT
// UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit
// counter and 62 random bits, so ids sort by creation time.
#pragma once

#include <QMutex>
#include <QUuid>
#include <cstdint>
#include <functional>
#include <random>

namespace colophon {

class UuidV7Generator final
{
public:
    using WallClock = std::function<std::int64_t()>; // epoch milliseconds
    explicit UuidV7Generator(WallClock clock = {});

    // Strictly increasing within one generator, even when the clock stalls or
    // steps back: the counter (and, on overflow, the timestamp) advance.
    QUuid next();

    static std::int64_t timestampMs(const QUuid &id);
    static int version(const QUuid &id) { return (id.toRfc4122().at(6) >> 4) & 0x0f; }

private:
    WallClock m_clock;
    QMutex m_mutex;
    std::int64_t m_lastMs = -1;
    std::uint32_t m_counter = 0;
    std::mt19937_64 m_rng;
};

// The canonical text form used everywhere: lowercase, no braces.
inline QString uuidText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

} // namespace colophon
