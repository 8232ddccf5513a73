// SPDX-License-Identifier: MIT
// One job at a time on a thread of its own: start() runs fn there unless
// the last job still runs, and the owner waits for it before going away.
// For housekeeping that must never pile up (a checkpoint, a snapshot made
// ahead), where a request that finds one running has nothing to add.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace colophon {

class SingleFlight final
{
public:
    SingleFlight() = default;
    ~SingleFlight() { wait(); }
    SingleFlight(const SingleFlight &) = delete;
    SingleFlight &operator=(const SingleFlight &) = delete;

    // False, doing nothing, while the last job runs.
    bool start(std::function<void()> fn)
    {
        std::lock_guard lock(m_mutex);
        if (m_running) {
            return false;
        }
        if (m_thread.joinable()) {
            m_thread.join(); // the last one, finished
        }
        m_running = true;
        m_thread = std::thread([this, fn = std::move(fn)] {
            fn();
            m_running = false;
        });
        return true;
    }

    bool running() const { return m_running.load(); }

    // Returns once no job runs.
    void wait()
    {
        std::lock_guard lock(m_mutex);
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

private:
    std::mutex m_mutex;
    std::thread m_thread; // guarded by m_mutex
    std::atomic<bool> m_running{false};
};

} // namespace colophon
