// SPDX-License-Identifier: MIT
// One thread of its own that runs jobs one at a time, in the order they were
// submitted: for work that must not hold the thread that asked for it, such
// as a password hash (tens of milliseconds of one core, and 64 MiB) that
// would otherwise stall every other connection of an HTTP I/O thread.
//
// Invariants: jobs run on the worker's thread only, never two at once; every
// job submitted before destruction runs (the destructor waits for them); a
// job that throws is caught and the next one runs.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace colophon {

class SerialWorker final
{
public:
    using Job = std::function<void()>;

    // finished runs on the worker's thread as it ends, after the last job
    // (e.g. to close that thread's database connection).
    explicit SerialWorker(std::function<void()> finished = {});
    ~SerialWorker(); // runs every job already submitted, then stops
    SerialWorker(const SerialWorker &) = delete;
    SerialWorker &operator=(const SerialWorker &) = delete;

    void submit(Job job);

private:
    void loop();

    std::function<void()> m_finished;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_queue; // guarded by m_mutex
    bool m_stopping = false; // guarded by m_mutex
    std::thread m_thread;    // last: starts once the rest exists
};

} // namespace colophon
