// SPDX-License-Identifier: MIT
#include "backend/core/serialworker.h"

namespace colophon {

SerialWorker::SerialWorker(std::function<void()> finished)
    : m_finished(std::move(finished)), m_thread([this] { loop(); })
{
}

SerialWorker::~SerialWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void SerialWorker::submit(Job job)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void SerialWorker::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty()) {
            break; // stopping, and nothing is left to run
        }
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        try {
            job();
        } catch (...) {
            // The job's owner learns of its failure its own way; the queue goes on.
        }
        job = nullptr; // what the job holds goes before the next one runs
        lock.lock();
    }
    lock.unlock();
    if (m_finished) {
        m_finished();
    }
}

} // namespace colophon
