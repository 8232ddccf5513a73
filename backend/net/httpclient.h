// SPDX-License-Identifier: MIT
// Outbound HTTP over libcurl, for the sync client (and later webhooks): plain
// blocking calls, meant for a worker thread. One HttpClient owns one curl
// handle and reuses its connections (keep-alive) from call to call; use one
// client per thread, never one from two threads at once.
//
// Invariants: only http and https; redirects are not followed (a 3xx is a
// response); no proxy for 127.0.0.1 and localhost; a buffered response body
// never exceeds maxResponseBytes. Any HTTP status is a response; failing to
// get one (refused, timeout, DNS, TLS) is an Error with code Unavailable.
#pragma once

#include "backend/core/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

namespace colophon {

struct HttpClientRequest
{
    QByteArray method = "GET";
    QString url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int connectTimeoutMs = 5000;
    int timeoutMs = 30000; // the whole transfer; 0 or less: none (for long-lived streams)
};

struct HttpClientResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // in the order received
    QByteArray body;

    // The first header of that name, compared case-insensitively; empty when absent.
    QByteArray header(const QByteArray &name) const;
};

class HttpClient final
{
public:
    static constexpr qsizetype maxResponseBytes = qsizetype(256) * 1024 * 1024;

    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // Errors: Unavailable for transport failures (the message names the
    // method, the URL and curl's reason); InvalidInput for a malformed URL,
    // method or header, or another scheme than http(s); Internal for a body
    // past maxResponseBytes.
    Result<HttpClientResponse> send(const HttpClientRequest &request);

    // Streams the body (text/event-stream): onData gets each chunk as it
    // arrives, whatever the status; returning false ends the transfer, which
    // is not an error. Returns the status. Set timeoutMs to 0 for a stream
    // meant to stay open.
    Result<int> stream(const HttpClientRequest &request,
                       const std::function<bool(QByteArrayView)> &onData);

    struct Impl; // public so the curl callbacks in the .cpp can reach it

private:
    std::unique_ptr<Impl> d;
};

// Parses Server-Sent Events (the WHATWG event-stream format) incrementally:
// feed chunks split anywhere, get the events they complete. Lines end with
// LF, CRLF or CR; comments (":...") and unknown fields are ignored; a block
// without data dispatches nothing. As in browsers, an event's id is the last
// id seen on the stream, so it survives into later events that set none.
class SseParser final
{
public:
    struct SseEvent
    {
        QByteArray event; // empty when the stream named none (a browser's "message")
        QByteArray data;  // the data lines joined by '\n'
        QByteArray id;
    };

    std::vector<SseEvent> feed(QByteArrayView chunk);

private:
    void processLine(QByteArrayView line, std::vector<SseEvent> &out);

    QByteArray m_line; // an incomplete line carried over from the last chunk
    QByteArray m_event;
    QByteArray m_data;
    QByteArray m_lastId;
    bool m_skipLf = false;   // the last chunk ended in CR: a leading LF belongs to it
    bool m_firstLine = true; // a UTF-8 byte order mark may open the stream
};

} // namespace colophon
