// SPDX-License-Identifier: MIT
// A response body written over time (Server-Sent Events, long downloads):
// the handler returns at once, a producer on any thread sends chunks, and
// the server writes them as they come. When the client goes away the
// producer is told, and send() starts returning false.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace colophon {

class ResponseStream final
{
public:
    // Producer side, any thread.
    bool send(std::string chunk); // false once closed or the client is gone
    void close();                 // ends the response after what was sent
    bool isOpen() const;
    // Called once, on a server thread, when the client disconnects or the
    // server drains. Set it before returning the response.
    void setOnClientGone(std::function<void()> callback);

    // Server side.
    void attach(std::function<void()> wake); // called whenever there is something to write
    struct Batch
    {
        std::deque<std::string> chunks;
        bool finished = false;
    };
    Batch take();
    void clientGone();

    // One Server-Sent Event, framed: optional id and event lines, data split on newlines.
    static std::string sseEvent(const std::string &data, const std::string &event = {},
                                const std::string &id = {});

private:
    mutable std::mutex m_mutex;
    std::deque<std::string> m_pending;
    bool m_closed = false;
    bool m_gone = false;
    std::function<void()> m_wake;
    std::function<void()> m_onGone;
};

} // namespace colophon
