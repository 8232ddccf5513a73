// SPDX-License-Identifier: MIT
#include "backend/http/responsestream.h"

namespace colophon {

bool ResponseStream::send(std::string chunk)
{
    std::function<void()> wake;
    {
        std::lock_guard lock(m_mutex);
        if (m_closed || m_gone) {
            return false;
        }
        if (chunk.empty()) {
            return true; // an empty chunk would end a chunked body
        }
        m_pending.push_back(std::move(chunk));
        wake = m_wake;
    }
    if (wake) {
        wake();
    }
    return true;
}

void ResponseStream::close()
{
    std::function<void()> wake;
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) {
            return;
        }
        m_closed = true;
        wake = m_wake;
    }
    if (wake) {
        wake();
    }
}

bool ResponseStream::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return !m_closed && !m_gone;
}

void ResponseStream::setOnClientGone(std::function<void()> callback)
{
    std::lock_guard lock(m_mutex);
    m_onGone = std::move(callback);
}

void ResponseStream::attach(std::function<void()> wake)
{
    bool pending = false;
    {
        std::lock_guard lock(m_mutex);
        m_wake = wake;
        pending = !m_pending.empty() || m_closed;
    }
    if (pending) {
        wake();
    }
}

ResponseStream::Batch ResponseStream::take()
{
    std::lock_guard lock(m_mutex);
    Batch b;
    b.chunks.swap(m_pending);
    b.finished = m_closed || m_gone;
    return b;
}

void ResponseStream::clientGone()
{
    std::function<void()> onGone;
    {
        std::lock_guard lock(m_mutex);
        if (m_gone) {
            return;
        }
        m_gone = true;
        m_pending.clear();
        m_wake = nullptr;
        onGone = std::move(m_onGone);
    }
    if (onGone) {
        onGone();
    }
}

std::string ResponseStream::sseEvent(const std::string &data, const std::string &event,
                                     const std::string &id)
{
    std::string out;
    if (!id.empty()) {
        out += "id: " + id + "\n";
    }
    if (!event.empty()) {
        out += "event: " + event + "\n";
    }
    size_t start = 0;
    while (true) {
        const size_t nl = data.find('\n', start);
        out += "data: " +
               data.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
        if (nl == std::string::npos) {
            break;
        }
        start = nl + 1;
    }
    out += "\n";
    return out;
}

} // namespace colophon
