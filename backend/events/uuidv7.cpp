// SPDX-License-Identifier: MIT
#include "backend/events/uuidv7.h"

#include <QByteArray>
#include <QDateTime>
#include <QMutexLocker>

namespace colophon {

UuidV7Generator::UuidV7Generator(WallClock clock)
    : m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_rng(std::random_device{}())
{
}

QUuid UuidV7Generator::next()
{
    QMutexLocker lock(&m_mutex);
    std::int64_t ms = m_clock();
    if (ms > m_lastMs) {
        m_lastMs = ms;
        m_counter = static_cast<std::uint32_t>(m_rng() & 0x3ff); // random start, room to count
    } else if (++m_counter > 0xfff) {
        ++m_lastMs; // counter exhausted: borrow the next millisecond
        m_counter = 0;
    }
    ms = m_lastMs;
    const std::uint64_t random = m_rng();

    QByteArray b(16, '\0');
    for (int i = 0; i < 6; ++i) {
        b[i] = static_cast<char>((ms >> (8 * (5 - i))) & 0xff);
    }
    b[6] = static_cast<char>(0x70 | ((m_counter >> 8) & 0x0f));
    b[7] = static_cast<char>(m_counter & 0xff);
    b[8] = static_cast<char>(0x80 | ((random >> 56) & 0x3f));
    for (int i = 9; i < 16; ++i) {
        b[i] = static_cast<char>((random >> (8 * (15 - i))) & 0xff);
    }
    return QUuid::fromRfc4122(b);
}

std::int64_t UuidV7Generator::timestampMs(const QUuid &id)
{
    const QByteArray b = id.toRfc4122();
    std::int64_t ms = 0;
    for (int i = 0; i < 6; ++i) {
        ms = (ms << 8) | static_cast<unsigned char>(b[i]);
    }
    return ms;
}

} // namespace colophon
