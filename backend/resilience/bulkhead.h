// SPDX-License-Identifier: MIT
// Bulkhead (blueprint §9.3): caps how many calls to one dependency run at once, with a bounded
// queue of waiting callers, so one slow dependency cannot take every thread.
#pragma once

#include "backend/core/error.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace colophon {

// Thread-safe; callers are plain threads that block while queued.
class Bulkhead final
{
public:
    // maxConcurrent >= 1 and queueSize >= 0, else std::invalid_argument.
    Bulkhead(std::string name, int maxConcurrent, int queueSize,
             std::chrono::milliseconds maxWait = std::chrono::seconds(30));

    // Runs fn (returning Result<T>) when a slot is free; waits in the queue if all slots are busy
    // and the queue has room; rejects with Error{Unavailable, "bulkhead '<name>' is full"} at
    // once when the queue is full, or after maxWait in the queue. The slot is released however
    // fn ends, exceptions included.
    template <typename F> auto execute(F &&fn) -> decltype(fn())
    {
        if (!acquire())
            return fail(fullError());
        const Permit permit(*this);
        return fn();
    }

    int active() const;
    int queued() const;
    const std::string &name() const { return m_name; }

private:
    class Permit final
    {
    public:
        explicit Permit(Bulkhead &owner) : m_owner(owner) {}
        ~Permit() { m_owner.release(); }
        Permit(const Permit &) = delete;
        Permit &operator=(const Permit &) = delete;

    private:
        Bulkhead &m_owner;
    };

    bool acquire();
    void release();
    Error fullError() const;

    const std::string m_name;
    const int m_maxConcurrent;
    const int m_queueSize;
    const std::chrono::milliseconds m_maxWait;
    mutable std::mutex m_mutex;
    std::condition_variable m_slotFreed;
    int m_active = 0;
    int m_queued = 0;
};

} // namespace colophon
