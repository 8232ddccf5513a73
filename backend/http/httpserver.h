// SPDX-License-Identifier: MIT
// The HTTP/1.1 server: Boost.Beast over Boost.Asio, one I/O thread per core,
// handlers called on the I/O threads (or, for a request handed off, on the
// thread of whatever takes it: a GroupCommit, or the one thread that hashes
// passwords).
//
// It enforces what Qt HttpServer 6.4 did not: header and body limits while
// reading (431, 413 — a body over the limit is refused before it is read),
// read, idle and write timeouts, a connection limit (503), Expect:
// 100-continue, Connection: close, HEAD, streamed (chunked) responses, and a
// graceful drain on stop(): no new connections, idle ones closed, in-flight
// requests finished, streams ended.
#pragma once

#include "backend/core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace colophon {

class HttpPipeline;
struct HttpRequest;
class Logger;

struct HttpServerSettings
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; // 0: any free port, see port()
    int threads = 0;        // 0: one per core
    std::size_t maxHeaderBytes = 16 * 1024;
    std::uint64_t maxBodyBytes = 10 * 1024 * 1024;
    std::chrono::milliseconds readTimeout{15000}; // to receive one whole request
    std::chrono::milliseconds idleTimeout{5000};  // between requests on a kept-alive connection
    std::chrono::milliseconds writeTimeout{30000};
    std::chrono::milliseconds drainTimeout{10000};
    int maxConnections = 1024;
    std::vector<std::string> trustedProxies; // peers whose X-Forwarded-For is believed
    // Runs on each I/O thread as it ends, e.g. to close its database connection.
    std::function<void()> threadFinished;
    // Requests handled away from their I/O thread, which serves its other
    // connections meanwhile. For each request handOff names the runner to
    // hand it to, or null to handle it on its I/O thread. A runner runs `run`
    // on a thread of its own, then calls done: true when the request's
    // writes were kept, false to answer 503 (a GroupCommit whose commit
    // failed). Unset: every request on its I/O thread.
    using Runner =
        std::function<void(std::function<void()> run, std::function<void(bool kept)> done)>;
    std::function<const Runner *(const HttpRequest &)> handOff;
};

class HttpServer final
{
public:
    HttpServer(HttpServerSettings settings, const HttpPipeline &pipeline, const Logger &logger);
    ~HttpServer(); // stops if still running
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds and starts the I/O threads. Errors: address in use, bad host.
    Result<void> start();
    std::uint16_t port() const;
    std::string host() const;

    // Graceful: stops accepting, closes idle connections, lets in-flight
    // requests finish (up to drainTimeout), ends streams, joins the threads.
    void stop();

    int openConnections() const;
    std::uint64_t requestsServed() const;

    struct Impl; // public so the connection class in the .cpp can reach it

private:
    std::unique_ptr<Impl> d;
};

} // namespace colophon
