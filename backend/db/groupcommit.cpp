// SPDX-License-Identifier: MIT
#include "backend/db/groupcommit.h"

#include <algorithm>
#include <iterator>

namespace colophon {

GroupCommit::GroupCommit(Database &db, std::size_t maxGroup)
    : m_db(db), m_maxGroup(std::max<std::size_t>(1, maxGroup)), m_thread([this] { loop(); })
{
}

GroupCommit::~GroupCommit()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void GroupCommit::submit(Job job, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back({std::move(job), std::move(done)});
    }
    m_wake.notify_one();
}

void GroupCommit::setObserver(std::function<void(std::size_t)> observer)
{
    std::lock_guard lock(m_mutex);
    m_observer = std::move(observer);
}

GroupCommit::Stats GroupCommit::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void GroupCommit::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty()) {
            break; // stopping, and nothing is left to run
        }
        const auto n = static_cast<std::ptrdiff_t>(std::min(m_maxGroup, m_queue.size()));
        std::vector<Entry> group(std::make_move_iterator(m_queue.begin()),
                                 std::make_move_iterator(m_queue.begin() + n));
        m_queue.erase(m_queue.begin(), m_queue.begin() + n);
        lock.unlock();
        runGroup(group);
        lock.lock();
    }
    lock.unlock();
    m_db.closeThreadConnection();
}

void GroupCommit::runGroup(std::vector<Entry> &group)
{
    std::vector<char> kept(group.size(), 0);
    auto committed = m_db.transact([&](Transaction &) -> Result<void> {
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (!m_db.transactionIntact()) {
                // SQLite rolled the group back (a full disk, an I/O error):
                // what ran is gone, and what has not run would run unguarded.
                // COMMIT now fails, and every job hears so.
                break;
            }
            try {
                auto ran = m_db.transact([&](Transaction &) -> Result<void> {
                    group[i].job();
                    return {};
                });
                kept[i] = ran.has_value() ? 1 : 0;
            } catch (...) {
                kept[i] = 0; // its savepoint is rolled back; the others go on
            }
        }
        return {};
    });
    std::function<void(std::size_t)> observer;
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.groups;
        m_stats.jobs += group.size();
        observer = m_observer;
    }
    if (observer) {
        observer(group.size());
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        group[i].done(committed.has_value() && kept[i] != 0);
    }
}

} // namespace colophon
