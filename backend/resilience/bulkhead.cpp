// SPDX-License-Identifier: MIT
// Bulkhead: slot accounting and the bounded wait queue.
#include "backend/resilience/bulkhead.h"

#include <stdexcept>
#include <utility>

namespace colophon {

Bulkhead::Bulkhead(std::string name, int maxConcurrent, int queueSize,
                   std::chrono::milliseconds maxWait)
    : m_name(std::move(name)), m_maxConcurrent(maxConcurrent), m_queueSize(queueSize),
      m_maxWait(maxWait)
{
    if (maxConcurrent < 1 || queueSize < 0)
        throw std::invalid_argument("bulkhead '" + m_name +
                                    "': maxConcurrent must be >= 1 and queueSize >= 0");
}

bool Bulkhead::acquire()
{
    std::unique_lock lock(m_mutex);
    if (m_active < m_maxConcurrent) {
        ++m_active;
        return true;
    }
    if (m_queued >= m_queueSize)
        return false;
    ++m_queued;
    const bool got =
        m_slotFreed.wait_for(lock, m_maxWait, [this] { return m_active < m_maxConcurrent; });
    --m_queued;
    if (!got)
        return false;
    ++m_active;
    return true;
}

void Bulkhead::release()
{
    {
        std::lock_guard lock(m_mutex);
        --m_active;
    }
    m_slotFreed.notify_one();
}

int Bulkhead::active() const
{
    std::lock_guard lock(m_mutex);
    return m_active;
}

int Bulkhead::queued() const
{
    std::lock_guard lock(m_mutex);
    return m_queued;
}

Error Bulkhead::fullError() const
{
    return Error::unavailable(
        QStringLiteral("bulkhead '%1' is full").arg(QString::fromStdString(m_name)));
}

} // namespace colophon
