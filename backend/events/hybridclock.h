// SPDX-License-Identifier: MIT
// Hybrid logical clock (Kulkarni et al.): physical milliseconds plus a
// counter, tagged with the replica. It never goes backwards, even when the
// wall clock does, and after merging a remote stamp it is ahead of it. It
// orders concurrent changes for conflict resolution; it never says what a
// replica has seen (the server sequence does that).
#pragma once

#include <QMutex>
#include <QString>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>

namespace colophon {

struct Hlc
{
    std::int64_t physicalMs = 0;
    std::uint32_t counter = 0;
    QString replica;

    // Total order: time, then counter, then replica id as a tie-breaker.
    std::strong_ordering operator<=>(const Hlc &o) const;
    bool operator==(const Hlc &o) const = default;

    // "0001700000000000-0000000000-<replica>": sorts as text in the same order.
    QString toString() const;
    static std::optional<Hlc> parse(const QString &text);
};

class HybridClock final
{
public:
    using WallClock = std::function<std::int64_t()>; // epoch milliseconds
    explicit HybridClock(QString replica, WallClock clock = {});

    // A new stamp for a local event.
    Hlc now();
    // Merges a stamp received from elsewhere (or read back from the log at
    // start) and returns a stamp after both.
    Hlc update(const Hlc &remote);
    Hlc last() const;
    QString replica() const { return m_replica; }

    // The wall clock as read, without correction.
    std::int64_t wallMs() const { return m_clock(); }
    // How wrong the wall clock is, as learned from a server: added to every
    // reading from now on (0: trust it).
    void setCorrection(std::int64_t ms);
    std::int64_t correction() const;
    // Goes back to `to`, forgetting later stamps. Only for a clock that ran
    // ahead of the truth, once the events it stamped so are re-stamped.
    void rewind(const Hlc &to);

private:
    QString m_replica;
    WallClock m_clock;
    mutable QMutex m_mutex;
    std::int64_t m_l = 0;
    std::uint32_t m_c = 0;
    std::int64_t m_correction = 0;
};

} // namespace colophon
