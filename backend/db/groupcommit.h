// SPDX-License-Identifier: MIT
// Group commit: the writes of many requests in one transaction.
//
// On SQLite a commit costs about the same for one small write as for fifty:
// BEGIN, then at COMMIT a write-ahead log frame for every page the
// transaction dirtied, and each insert dirties the same rightmost leaves of
// the same indexes. A single create spent 37% of its CPU there, and every
// writer of the process waited its turn for it.
//
// GroupCommit runs write jobs on a thread of its own. Whatever jobs are
// waiting when it is free run in one transaction, each inside a savepoint of
// its own (a job's own transact() calls nest there), so a job that fails
// rolls back alone and the others keep their writes. After COMMIT each job
// learns whether its writes were committed; a job is never told it was
// before they are durable in the log.
#pragma once

#include "backend/db/database.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace colophon {

class GroupCommit final
{
public:
    // Runs on the group's thread inside the group's transaction.
    using Job = std::function<void()>;
    // Runs on the group's thread after the commit, or after it failed: true
    // when the job ran and its writes are committed.
    using Done = std::function<void(bool committed)>;

    explicit GroupCommit(Database &db, std::size_t maxGroup = 64);
    ~GroupCommit(); // runs every job already submitted, then stops
    GroupCommit(const GroupCommit &) = delete;
    GroupCommit &operator=(const GroupCommit &) = delete;

    void submit(Job job, Done done);
    // Called on the group's thread after each group with how many jobs it
    // held (for a histogram on /metrics). Set before the first submit().
    void setObserver(std::function<void(std::size_t jobs)> observer);

    struct Stats
    {
        std::uint64_t groups = 0; // transactions run
        std::uint64_t jobs = 0;   // jobs run or refused in them
    };
    Stats stats() const;

private:
    struct Entry
    {
        Job job;
        Done done;
    };
    void loop();
    void runGroup(std::vector<Entry> &group);

    Database &m_db;
    const std::size_t m_maxGroup;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Entry> m_queue; // guarded by m_mutex
    bool m_stopping = false;   // guarded by m_mutex
    Stats m_stats;             // guarded by m_mutex
    std::function<void(std::size_t)> m_observer;
    std::thread m_thread; // last: starts once the rest exists
};

} // namespace colophon
