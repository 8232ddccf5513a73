// SPDX-License-Identifier: MIT
#include "backend/events/hybridclock.h"

#include <QDateTime>
#include <QMutexLocker>
#include <QStringList>
#include <algorithm>

namespace colophon {

std::strong_ordering Hlc::operator<=>(const Hlc &o) const
{
    if (auto c = physicalMs <=> o.physicalMs; c != 0) {
        return c;
    }
    if (auto c = counter <=> o.counter; c != 0) {
        return c;
    }
    const int r = replica.compare(o.replica);
    return r < 0 ? std::strong_ordering::less
                 : (r > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

QString Hlc::toString() const
{
    constexpr std::int64_t kSixteenDigits = 10'000'000'000'000'000;
    if (physicalMs < 0 || physicalMs >= kSixteenDigits) {
        return QStringLiteral("%1-%2-%3")
            .arg(physicalMs, 16, 10, QLatin1Char('0'))
            .arg(counter, 10, 10, QLatin1Char('0'))
            .arg(replica);
    }
    // Digit by digit: every field of every item carries a stamp, and
    // QString::arg was 3% of an import.
    QString out(28 + replica.size(), Qt::Uninitialized);
    QChar *p = out.data();
    const auto put = [&p](std::uint64_t value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10) {
            p[i] = QLatin1Char(char('0' + value % 10));
        }
        p += digits;
    };
    put(std::uint64_t(physicalMs), 16);
    *p++ = QLatin1Char('-');
    put(counter, 10);
    *p++ = QLatin1Char('-');
    std::copy(replica.cbegin(), replica.cend(), p);
    return out;
}

std::optional<Hlc> Hlc::parse(const QString &text)
{
    const int first = text.indexOf(QLatin1Char('-'));
    const int second = first < 0 ? -1 : text.indexOf(QLatin1Char('-'), first + 1);
    if (first != 16 || second != 27) {
        return std::nullopt;
    }
    bool okMs = false;
    bool okCounter = false;
    Hlc h;
    h.physicalMs = text.left(first).toLongLong(&okMs);
    h.counter = text.mid(first + 1, second - first - 1).toUInt(&okCounter);
    h.replica = text.mid(second + 1);
    if (!okMs || !okCounter || h.physicalMs < 0 || h.replica.isEmpty() || h.toString() != text) {
        return std::nullopt;
    }
    return h;
}

HybridClock::HybridClock(QString replica, WallClock clock)
    : m_replica(std::move(replica)),
      m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

Hlc HybridClock::now()
{
    QMutexLocker lock(&m_mutex);
    const std::int64_t pt = m_clock() + m_correction;
    if (pt > m_l) {
        m_l = pt;
        m_c = 0;
    } else {
        ++m_c; // wall clock stalled or stepped back: count on from the last stamp
    }
    return {m_l, m_c, m_replica};
}

Hlc HybridClock::update(const Hlc &remote)
{
    QMutexLocker lock(&m_mutex);
    const std::int64_t pt = m_clock() + m_correction;
    const std::int64_t l = std::max({m_l, remote.physicalMs, pt});
    if (l == m_l && l == remote.physicalMs) {
        m_c = std::max(m_c, remote.counter) + 1;
    } else if (l == m_l) {
        ++m_c;
    } else if (l == remote.physicalMs) {
        m_c = remote.counter + 1;
    } else {
        m_c = 0;
    }
    m_l = l;
    return {m_l, m_c, m_replica};
}

void HybridClock::setCorrection(std::int64_t ms)
{
    QMutexLocker lock(&m_mutex);
    m_correction = ms;
}

std::int64_t HybridClock::correction() const
{
    QMutexLocker lock(&m_mutex);
    return m_correction;
}

void HybridClock::rewind(const Hlc &to)
{
    QMutexLocker lock(&m_mutex);
    m_l = to.physicalMs;
    m_c = to.counter;
}

Hlc HybridClock::last() const
{
    QMutexLocker lock(&m_mutex);
    return {m_l, m_c, m_replica};
}

} // namespace colophon
