// SPDX-License-Identifier: MIT
#include "backend/http/httpserver.h"

#include "backend/http/middleware.h"
#include "backend/http/problem.h"
#include "backend/http/responsestream.h"
#include "backend/observability/logger.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace colophon {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string httpDate()
{
    thread_local std::time_t cachedAt = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedAt) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buf[64];
        std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached = buf;
        cachedAt = now;
    }
    return cached;
}

// A response's bytes while they are sent.
struct Outgoing
{
    std::string head; // status line and fields, through the blank line
    std::string body;
};

// Fields the server writes itself, whatever a handler set.
bool ownField(std::string_view name)
{
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection") || iequals(name, "Date") || iequals(name, "Server");
}

// A field set again later in the list: the last one wins, as a field set
// twice on a message does.
bool replacedLater(const HeaderList &headers, std::size_t i)
{
    for (std::size_t j = i + 1; j < headers.size(); ++j) {
        if (iequals(headers[j].first, headers[i].first)) {
            return true;
        }
    }
    return false;
}

// "Name: value\r\n". A CR or LF inside either becomes a space, so no value
// can end the field early and start another (response splitting).
void appendField(std::string &out, std::string_view name, std::string_view value)
{
    const auto append = [&out](std::string_view text) {
        if (text.find_first_of("\r\n") == std::string_view::npos) {
            out.append(text);
            return;
        }
        for (const char c : text) {
            out += (c == '\r' || c == '\n') ? ' ' : c;
        }
    };
    append(name);
    out += ": ";
    append(value);
    out += "\r\n";
}

bool isQuietDisconnect(const beast::error_code &ec)
{
    return ec == http::error::end_of_stream || ec == beast::error::timeout ||
           ec == net::error::eof || ec == net::error::operation_aborted ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::bad_descriptor || ec == http::error::partial_message;
}

// The answer past the connection limit, written straight to the socket.
const std::string &rejection()
{
    static const std::string text = [] {
        const HttpResponse r = problemResponse(503, "too many connections");
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
               "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
               std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
    }();
    return text;
}

} // namespace

namespace {
class HttpConnection; // one per TCP connection; internal to this file
}

struct HttpServer::Impl
{
    Impl(HttpServerSettings s, const HttpPipeline &p, const Logger &l)
        : settings(std::move(s)), pipeline(p), logger(l), contexts(makeContexts(settings.threads)),
          acceptor(*contexts.front()), backoff(*contexts.front())
    {
    }

    // One single-threaded io_context per I/O thread: a connection lives on
    // one thread for its whole life, so its handlers need no strand and the
    // scheduler takes no locks (measured: a shared multi-threaded context
    // spent its time in futex wake-ups).
    static std::vector<std::unique_ptr<net::io_context>> makeContexts(int threads)
    {
        const int n = threads > 0
                          ? threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        std::vector<std::unique_ptr<net::io_context>> out;
        for (int i = 0; i < n; ++i) {
            out.push_back(std::make_unique<net::io_context>(1));
        }
        return out;
    }
    net::io_context &nextContext() { return *contexts[nextIndex++ % contexts.size()]; }

    void doAccept();
    void onAccept(const beast::error_code &ec, tcp::socket socket);
    std::string clientAddress(const std::string &peer, std::string_view forwardedFor) const;

    HttpServerSettings settings;
    const HttpPipeline &pipeline;
    const Logger &logger;
    // Declared before the io_context: sessions still queued in it when it is
    // destroyed unregister themselves here.
    std::mutex sessionsMutex;
    std::unordered_map<HttpConnection *, std::weak_ptr<HttpConnection>> sessions;
    std::atomic<int> connections{0};
    std::atomic<std::uint64_t> served{0};
    std::atomic<int> handedOff{0}; // requests handed to a runner, not yet back
    std::atomic<bool> draining{false};
    bool running = false;
    std::uint16_t boundPort = 0;

    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::size_t nextIndex = 0; // only touched by the acceptor's thread
    tcp::acceptor acceptor;
    net::steady_timer backoff;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
    std::vector<std::thread> threads;
};

namespace {

class HttpConnection : public std::enable_shared_from_this<HttpConnection>
{
public:
    HttpConnection(tcp::socket &&socket, HttpServer::Impl &server)
        : m_stream(std::move(socket)), m_server(server)
    {
        ++m_server.connections;
        beast::error_code ec;
        const auto remote = m_stream.socket().remote_endpoint(ec);
        m_peer = ec ? std::string() : remote.address().to_string();
    }

    ~HttpConnection()
    {
        if (m_responseStream) {
            m_responseStream->clientGone();
        }
        {
            std::lock_guard lock(m_server.sessionsMutex);
            m_server.sessions.erase(this);
        }
        --m_server.connections;
    }

    void run()
    {
        {
            std::lock_guard lock(m_server.sessionsMutex);
            m_server.sessions.emplace(this, weak_from_this());
        }
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->readHeader(); });
    }

    auto executor() { return m_stream.get_executor(); }

    // On the session's strand: end this connection as soon as it is not in
    // the middle of a request.
    void drain()
    {
        if (m_state == State::AwaitingHeader && m_buffer.size() == 0) {
            close();
        } else if (m_state == State::Streaming && m_responseStream) {
            m_responseStream->close();
        }
    }

private:
    enum class State { AwaitingHeader, Reading, Writing, Streaming, Closing };

    void readHeader()
    {
        m_state = State::AwaitingHeader;
        m_parser.emplace();
        m_parser->header_limit(static_cast<std::uint32_t>(m_server.settings.maxHeaderBytes));
        m_parser->body_limit(m_server.settings.maxBodyBytes);
        m_stream.expires_after(m_requests == 0 || m_buffer.size() > 0
                                   ? m_server.settings.readTimeout
                                   : m_server.settings.idleTimeout);
        http::async_read_header(
            m_stream, m_buffer, *m_parser,
            beast::bind_front_handler(&HttpConnection::onHeader, shared_from_this()));
    }

    void onHeader(beast::error_code ec, std::size_t)
    {
        if (ec == http::error::header_limit) {
            return sendError(431, "the request's header fields are larger than " +
                                      std::to_string(m_server.settings.maxHeaderBytes) + " bytes");
        }
        if (ec == http::error::body_limit) {
            return sendError(413, tooLarge()); // refused on its Content-Length, before reading it
        }
        if (ec) {
            if (isQuietDisconnect(ec) ||
                ec.category() != http::make_error_code(http::error::header_limit).category()) {
                return close();
            }
            return sendError(400, "malformed request: " + ec.message());
        }
        m_state = State::Reading;
        m_stream.expires_after(m_server.settings.readTimeout);
        const auto &req = m_parser->get();
        if (const auto length = m_parser->content_length();
            length && *length > m_server.settings.maxBodyBytes) {
            return sendError(413, tooLarge());
        }
        const auto expect = req[http::field::expect];
        if (!expect.empty()) {
            if (!iequals(expect, "100-continue")) {
                return sendError(417, "only 'Expect: 100-continue' is supported");
            }
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                           req.version());
            http::async_write(
                m_stream, *cont,
                [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                    if (wec) {
                        return self->close();
                    }
                    self->readBody();
                });
            return;
        }
        readBody();
    }

    void readBody()
    {
        if (m_parser->is_done()) {
            return handle();
        }
        http::async_read(m_stream, m_buffer, *m_parser,
                         beast::bind_front_handler(&HttpConnection::onBody, shared_from_this()));
    }

    void onBody(beast::error_code ec, std::size_t)
    {
        if (ec == http::error::body_limit) {
            return sendError(413, tooLarge());
        }
        if (ec) {
            return close(); // timed out or gone mid-body: nothing to answer
        }
        handle();
    }

    std::string tooLarge() const
    {
        return "the request body is larger than " + std::to_string(m_server.settings.maxBodyBytes) +
               " bytes";
    }

    void handle()
    {
        http::request<http::string_body> raw = m_parser->release();
        m_parser.reset();
        HttpRequest req;
        req.method = parseMethod(raw.method_string());
        req.methodText = std::string(raw.method_string());
        req.target = std::string(raw.target());
        const size_t q = req.target.find('?');
        req.path = percentDecode(std::string_view(req.target).substr(0, q), false);
        if (q != std::string::npos) {
            req.rawQuery = req.target.substr(q + 1);
        }
        req.headers.reserve(8);
        for (const auto &field : raw) {
            req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        req.body = std::move(raw.body());
        req.peerAddress = m_peer;
        req.clientAddress = m_server.clientAddress(m_peer, raw["X-Forwarded-For"]);
        m_keepAlive = raw.keep_alive();
        m_version = raw.version();

        if (m_server.settings.handOff) {
            if (const HttpServerSettings::Runner *runner = m_server.settings.handOff(req)) {
                return handOff(*runner, std::move(req));
            }
        }
        respond(req, m_server.pipeline.handle(req));
    }

    void respond(const HttpRequest &req, HttpResponse res)
    {
        ++m_server.served;
        if (res.stream && req.method != HttpMethod::Head) {
            return startStream(std::move(res));
        }
        write(std::move(res), req.method == HttpMethod::Head, false);
    }

    // The request runs on the runner's thread; its answer comes back here,
    // once its writes are kept (or are known not to be).
    void handOff(const HttpServerSettings::Runner &runner, HttpRequest req)
    {
        struct Exchange
        {
            HttpRequest req;
            HttpResponse res;
        };
        auto exchange = std::make_shared<Exchange>();
        exchange->req = std::move(req);
        ++m_server.handedOff;
        const HttpPipeline &pipeline = m_server.pipeline; // outlives the server
        runner([exchange, &pipeline] { exchange->res = pipeline.handle(exchange->req); },
               [self = shared_from_this(), exchange](bool kept) mutable {
                   if (!kept) {
                       exchange->res = problemResponse(
                           503, "the change could not be saved; nothing of it was kept");
                       exchange->res.headers.emplace_back("Retry-After", "1");
                   }
                   // The connection goes with the answer: nothing on this thread
                   // holds it once stop() may go on.
                   HttpServer::Impl &server = self->m_server;
                   auto executor = self->m_stream.get_executor();
                   net::post(executor, [self = std::move(self), exchange] {
                       self->respond(exchange->req, std::move(exchange->res));
                   });
                   --server.handedOff; // stop() waits for this before the I/O threads end
               });
    }

    void sendError(int status, std::string detail)
    {
        if (m_parser && m_parser->is_header_done()) {
            m_version = m_parser->get().version();
        }
        write(problemResponse(status, std::move(detail)), false, true);
    }

    // The head (status line and fields) is written by hand and sent with
    // the body in one writev. Beast's serializer walked its field list
    // through nested buffer views and allocated every field: about 8% of an
    // item read's samples.
    void write(HttpResponse res, bool head, bool forceClose)
    {
        const bool keep = m_keepAlive && !forceClose && !m_server.draining;
        const bool bodyless =
            res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
        auto out = std::make_shared<Outgoing>();
        std::string &h = out->head;
        h.reserve(320);
        h += m_version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
        h += std::to_string(res.status);
        h += ' ';
        const auto reason = http::obsolete_reason(static_cast<http::status>(res.status));
        h.append(reason.data(), reason.size());
        h += "\r\n";
        for (std::size_t i = 0; i < res.headers.size(); ++i) {
            const auto &[name, value] = res.headers[i];
            if (ownField(name) || replacedLater(res.headers, i)) {
                continue;
            }
            appendField(h, name, value);
        }
        appendField(h, "Server", "colophon");
        appendField(h, "Date", httpDate());
        if (!keep && m_version >= 11) {
            appendField(h, "Connection", "close");
        } else if (keep && m_version == 10) {
            appendField(h, "Connection", "keep-alive");
        }
        if (!bodyless) {
            appendField(h, "Content-Length", std::to_string(res.body.size()));
        }
        h += "\r\n";
        if (!head && !bodyless) {
            out->body = std::move(res.body);
        }
        m_state = State::Writing;
        m_stream.expires_after(m_server.settings.writeTimeout);
        const std::array<net::const_buffer, 2> buffers{net::buffer(out->head),
                                                       net::buffer(out->body)};
        net::async_write(
            m_stream, buffers,
            [self = shared_from_this(), out, keep, forceClose](beast::error_code ec, std::size_t) {
                if (ec) {
                    return self->close();
                }
                if (forceClose) {
                    return self->lingerClose();
                }
                if (!keep) {
                    return self->close();
                }
                ++self->m_requests;
                self->readHeader();
            });
    }

    // After refusing a request whose body was not read: stop sending, then
    // read and discard what the client still sends for a moment, so it sees
    // our answer instead of a reset. Discarding costs no memory.
    void lingerClose()
    {
        m_state = State::Closing;
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        m_stream.expires_after(std::chrono::seconds(2));
        discard();
    }

    void discard()
    {
        m_stream.async_read_some(net::buffer(m_scratch),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                     self->m_discarded += n;
                                     if (ec || self->m_discarded > 64u * 1024 * 1024) {
                                         return self->close();
                                     }
                                     self->discard();
                                 });
    }

    void startStream(HttpResponse res)
    {
        m_responseStream = std::move(res.stream);
        m_streamHeader = std::make_unique<http::response<http::empty_body>>(
            static_cast<http::status>(res.status), m_version);
        for (auto &[name, value] : res.headers) {
            m_streamHeader->set(name, value);
        }
        m_streamHeader->set(http::field::server, "colophon");
        m_streamHeader->set(http::field::date, httpDate());
        m_streamHeader->keep_alive(false); // the stream ends the connection
        m_streamHeader->chunked(true);
        m_serializer =
            std::make_unique<http::response_serializer<http::empty_body>>(*m_streamHeader);
        m_state = State::Streaming;
        m_stream.expires_after(m_server.settings.writeTimeout);
        http::async_write_header(m_stream, *m_serializer,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec) {
                                         return self->close();
                                     }
                                     std::weak_ptr<HttpConnection> weak = self;
                                     auto executor = self->m_stream.get_executor();
                                     self->m_responseStream->attach([weak, executor] {
                                         net::post(executor, [weak] {
                                             if (auto s = weak.lock()) {
                                                 s->pumpStream();
                                             }
                                         });
                                     });
                                     self->watchPeer();
                                     if (self->m_server.draining) {
                                         self->m_responseStream->close();
                                     }
                                 });
    }

    void pumpStream()
    {
        if (m_writingChunk || m_state != State::Streaming) {
            return;
        }
        ResponseStream::Batch batch = m_responseStream->take();
        if (batch.chunks.empty()) {
            if (batch.finished) {
                finishStream();
            }
            return;
        }
        m_chunk.clear();
        for (auto &c : batch.chunks) {
            m_chunk += c;
        }
        m_writingChunk = true;
        m_stream.expires_after(m_server.settings.writeTimeout);
        net::async_write(m_stream, http::make_chunk(net::buffer(m_chunk)),
                         [self = shared_from_this(),
                          finished = batch.finished](beast::error_code ec, std::size_t) {
                             self->m_writingChunk = false;
                             if (ec) {
                                 return self->close();
                             }
                             if (finished) {
                                 return self->finishStream();
                             }
                             self->pumpStream();
                         });
    }

    void finishStream()
    {
        m_state = State::Writing;
        m_stream.expires_after(m_server.settings.writeTimeout);
        net::async_write(
            m_stream, http::make_chunk_last(),
            [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
    }

    // While streaming, a read that completes only when the client goes away
    // (the raw socket, so the write timeouts do not apply to it).
    void watchPeer()
    {
        m_stream.socket().async_read_some(
            net::buffer(m_scratch), [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    if (self->m_state == State::Streaming) {
                        self->close();
                    }
                    return;
                }
                self->watchPeer();
            });
    }

    void close()
    {
        if (m_state == State::Closing && !m_stream.socket().is_open()) {
            return;
        }
        m_state = State::Closing;
        if (m_responseStream) {
            m_responseStream->clientGone();
        }
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        m_stream.socket().close(ec);
    }

    beast::tcp_stream m_stream;
    HttpServer::Impl &m_server;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    std::string m_peer;
    State m_state = State::AwaitingHeader;
    bool m_keepAlive = false;
    unsigned m_version = 11;
    std::uint64_t m_requests = 0;
    std::uint64_t m_discarded = 0;
    std::array<char, 4096> m_scratch{};

    std::shared_ptr<ResponseStream> m_responseStream;
    std::unique_ptr<http::response<http::empty_body>> m_streamHeader;
    std::unique_ptr<http::response_serializer<http::empty_body>> m_serializer;
    std::string m_chunk;
    bool m_writingChunk = false;
};

} // namespace

void HttpServer::Impl::doAccept()
{
    acceptor.async_accept(nextContext(), [this](beast::error_code ec, tcp::socket socket) {
        onAccept(ec, std::move(socket));
    });
}

void HttpServer::Impl::onAccept(const beast::error_code &ec, tcp::socket socket)
{
    if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) {
            return;
        }
        // Out of descriptors or similar: wait a little rather than spin.
        logger.warn("accept failed", {{"error", ec.message()}});
        backoff.expires_after(std::chrono::milliseconds(50));
        backoff.async_wait([this](beast::error_code wec) {
            if (!wec && acceptor.is_open()) {
                doAccept();
            }
        });
        return;
    }
    if (draining) {
        return;
    }
    if (connections.load() >= settings.maxConnections) {
        auto sock = std::make_shared<tcp::socket>(std::move(socket));
        net::async_write(*sock, net::buffer(rejection()), [sock](beast::error_code, std::size_t) {
            beast::error_code ignored;
            sock->shutdown(tcp::socket::shutdown_both, ignored);
            sock->close(ignored);
        });
    } else {
        std::make_shared<HttpConnection>(std::move(socket), *this)->run();
    }
    doAccept();
}

std::string HttpServer::Impl::clientAddress(const std::string &peer,
                                            std::string_view forwardedFor) const
{
    auto trusted = [this](std::string_view address) {
        for (const std::string &p : settings.trustedProxies) {
            if (p == address) {
                return true;
            }
        }
        return false;
    };
    if (forwardedFor.empty() || !trusted(peer)) {
        return peer;
    }
    // The rightmost address that is not one of our proxies is the client.
    std::string_view rest = forwardedFor;
    while (!rest.empty()) {
        const size_t comma = rest.rfind(',');
        std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        while (!hop.empty() && hop.front() == ' ') {
            hop.remove_prefix(1);
        }
        while (!hop.empty() && hop.back() == ' ') {
            hop.remove_suffix(1);
        }
        if (!hop.empty() && !trusted(hop)) {
            return std::string(hop);
        }
    }
    return peer;
}

HttpServer::HttpServer(HttpServerSettings settings, const HttpPipeline &pipeline,
                       const Logger &logger)
    : d(std::make_unique<Impl>(std::move(settings), pipeline, logger))
{
}

HttpServer::~HttpServer()
{
    stop();
}

Result<void> HttpServer::start()
{
    if (d->running) {
        return {};
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(d->settings.host, ec);
    if (ec) {
        return fail(Error::invalid(QStringLiteral("cannot listen on '%1': not an IP address")
                                       .arg(QString::fromStdString(d->settings.host)),
                                   QStringLiteral("listen")));
    }
    const tcp::endpoint endpoint(address, d->settings.port);
    d->acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        d->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        d->acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        d->acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        beast::error_code ignored;
        d->acceptor.close(ignored);
        return fail(Error::unavailable(QStringLiteral("cannot listen on %1:%2: %3")
                                           .arg(QString::fromStdString(d->settings.host))
                                           .arg(d->settings.port)
                                           .arg(QString::fromStdString(ec.message()))));
    }
    d->boundPort = d->acceptor.local_endpoint().port();
    d->draining = false;
    for (auto &context : d->contexts) {
        context->restart();
        d->work.push_back(net::make_work_guard(*context));
    }
    d->doAccept();
    for (auto &context : d->contexts) {
        d->threads.emplace_back([impl = d.get(), ioc = context.get()] {
            for (;;) {
                try {
                    ioc->run();
                    break;
                } catch (const std::exception &e) {
                    impl->logger.error("I/O thread caught an exception", {{"error", e.what()}});
                }
            }
            if (impl->settings.threadFinished) {
                impl->settings.threadFinished();
            }
        });
    }
    d->running = true;
    return {};
}

void HttpServer::stop()
{
    if (!d->running) {
        return;
    }
    d->draining = true;
    net::post(d->acceptor.get_executor(), [impl = d.get()] {
        beast::error_code ec;
        impl->acceptor.close(ec);
        impl->backoff.cancel();
    });
    const auto deadline = std::chrono::steady_clock::now() + d->settings.drainTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<std::shared_ptr<HttpConnection>> live;
        {
            std::lock_guard lock(d->sessionsMutex);
            for (auto &[ptr, weak] : d->sessions) {
                if (auto s = weak.lock()) {
                    live.push_back(std::move(s));
                }
            }
        }
        if (live.empty() && d->connections.load() == 0) {
            break;
        }
        for (auto &s : live) {
            // Sessions live on their own strands; ask each to close when idle.
            net::post(s->executor(), [s] { s->drain(); });
        }
        live.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // A request handed off posts its answer to its I/O thread's context: the
    // context must outlive that post.
    while (d->handedOff.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    d->work.clear();
    for (auto &context : d->contexts) {
        context->stop();
    }
    for (auto &t : d->threads) {
        t.join();
    }
    d->threads.clear();
    d->running = false;
}

std::uint16_t HttpServer::port() const
{
    return d->boundPort;
}

std::string HttpServer::host() const
{
    return d->settings.host;
}

int HttpServer::openConnections() const
{
    return d->connections.load();
}

std::uint64_t HttpServer::requestsServed() const
{
    return d->served.load();
}

} // namespace colophon
