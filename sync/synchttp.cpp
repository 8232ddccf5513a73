// SPDX-License-Identifier: MIT
#include "sync/synchttp.h"

#include "backend/http/httpmessage.h"
#include "backend/http/problem.h"
#include "backend/http/responsestream.h"
#include "backend/http/router.h"
#include "sync/syncserver.h"

#include <QRegularExpression>
#include <charconv>

namespace colophon::sync {

namespace {

constexpr auto kKeepAlive = std::chrono::seconds(15);

// A non-negative integer query parameter; `otherwise` when absent.
Result<qint64> number(const HttpRequest &req, const char *key, qint64 otherwise)
{
    const auto value = req.query(key);
    if (!value) {
        return otherwise;
    }
    qint64 n = -1;
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec != std::errc() || end != value->data() + value->size() || n < 0) {
        return fail(Error::invalid(
            QStringLiteral("%1 must be a non-negative integer").arg(QLatin1String(key)),
            QLatin1String(key)));
    }
    return n;
}

HttpResponse answerOf(const Result<nlohmann::json> &result)
{
    if (!result) {
        return problemResponse(result.error());
    }
    HttpResponse res = HttpResponse::json(200, *result);
    res.setHeader("Cache-Control", "no-store");
    return res;
}

HttpResponse unauthorized(const Error &error)
{
    HttpResponse res = problemResponse(error);
    res.setHeader("WWW-Authenticate", "Bearer");
    return res;
}

std::string headEvent(qint64 head)
{
    return ResponseStream::sseEvent(nlohmann::json{{"head", head}}.dump(), "head");
}

} // namespace

SyncHub::SyncHub(SyncServer &server)
    : m_server(server), m_lastKeepAlive(std::chrono::steady_clock::now())
{
    if (auto head = m_server.head()) {
        m_head = *head;
    }
}

SyncHub::~SyncHub()
{
    QMutexLocker lock(&m_mutex);
    for (Waiter &w : m_waiters) {
        w.stream->close();
    }
    for (auto &s : m_streams) {
        s->close();
    }
}

void SyncHub::answer(Waiter &waiter)
{
    const auto result = m_server.pull(waiter.principal, waiter.request);
    const std::string body = result ? result->dump() : problemResponse(result.error()).body;
    waiter.stream->send(body);
    waiter.stream->close();
}

void SyncHub::notify(qint64 head)
{
    std::vector<Waiter> ready;
    std::vector<std::shared_ptr<ResponseStream>> streams;
    {
        QMutexLocker lock(&m_mutex);
        m_head = std::max(m_head, head);
        for (auto it = m_waiters.begin(); it != m_waiters.end();) {
            if (it->request.since < m_head) {
                ready.push_back(std::move(*it));
                it = m_waiters.erase(it);
            } else {
                ++it;
            }
        }
        std::erase_if(m_streams, [](const auto &s) { return !s->isOpen(); });
        streams = m_streams;
    }
    for (Waiter &w : ready) {
        answer(w);
    }
    const std::string event = headEvent(head);
    for (auto &s : streams) {
        s->send(event);
    }
}

void SyncHub::tick()
{
    const auto now = std::chrono::steady_clock::now();
    std::vector<Waiter> due;
    std::vector<std::shared_ptr<ResponseStream>> streams;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_waiters.begin(); it != m_waiters.end();) {
            if (it->deadline <= now || !it->stream->isOpen()) {
                due.push_back(std::move(*it));
                it = m_waiters.erase(it);
            } else {
                ++it;
            }
        }
        std::erase_if(m_streams, [](const auto &s) { return !s->isOpen(); });
        if (now - m_lastKeepAlive >= kKeepAlive) {
            m_lastKeepAlive = now;
            streams = m_streams;
        }
    }
    for (Waiter &w : due) {
        if (w.stream->isOpen()) {
            answer(w);
        }
    }
    for (auto &s : streams) {
        s->send(": keep-alive\n\n");
    }
}

void SyncHub::addWaiter(const Principal &principal, const PullRequest &request,
                        std::shared_ptr<ResponseStream> stream)
{
    QMutexLocker lock(&m_mutex);
    m_waiters.push_back(
        {principal, request, std::move(stream),
         std::chrono::steady_clock::now() + std::chrono::milliseconds(request.waitMs)});
}

void SyncHub::addStream(std::shared_ptr<ResponseStream> stream)
{
    QMutexLocker lock(&m_mutex);
    stream->send(headEvent(m_head));
    m_streams.push_back(std::move(stream));
}

int SyncHub::openStreams() const
{
    QMutexLocker lock(&m_mutex);
    return static_cast<int>(std::count_if(m_streams.begin(), m_streams.end(),
                                          [](const auto &s) { return s->isOpen(); }));
}

void registerSyncRoutes(Router &router, SyncServer &server, SyncHub &hub,
                        Authenticator authenticate)
{
    router.add(HttpMethod::Post, "/api/v1/sync/hello", [&server](HttpRequest &req) {
        const auto body = req.jsonBody();
        if (!body || !body->is_object()) {
            return problemResponse(
                Error::invalid(QStringLiteral("the body must be a JSON object")));
        }
        return answerOf(server.hello(*body));
    });

    router.add(HttpMethod::Post, "/api/v1/sync/push", RouteClass::Write,
               [&server, authenticate](HttpRequest &req) {
                   auto principal = authenticate(req);
                   if (!principal) {
                       return unauthorized(principal.error());
                   }
                   const auto body = req.jsonBody();
                   if (!body || !body->is_object()) {
                       return problemResponse(
                           Error::invalid(QStringLiteral("the body must be a JSON object")));
                   }
                   return answerOf(server.push(*principal, *body));
               });

    router.add(
        HttpMethod::Get, "/api/v1/sync/pull", [&server, &hub, authenticate](HttpRequest &req) {
            auto principal = authenticate(req);
            if (!principal) {
                return unauthorized(principal.error());
            }
            PullRequest pull;
            pull.replicaId = QString::fromStdString(req.query("replicaId").value_or(std::string()));
            auto since = number(req, "since", 0);
            auto limit = number(req, "limit", server.limits().maxPullEvents);
            auto wait = number(req, "wait", 0);
            for (const auto *value : {&since, &limit, &wait}) {
                if (!*value) {
                    return problemResponse(value->error());
                }
            }
            if (*wait > server.limits().maxWaitMs) {
                return problemResponse(Error::invalid(
                    QStringLiteral("wait must be at most %1 ms").arg(server.limits().maxWaitMs),
                    QStringLiteral("wait")));
            }
            pull.since = *since;
            pull.limit = static_cast<int>(std::min<qint64>(*limit, server.limits().maxPullEvents));
            pull.waitMs = static_cast<int>(*wait);
            pull.checksum = req.query("checksum").value_or(std::string()) == "1";
            auto head = server.head();
            if (pull.waitMs == 0 || !head || *head > pull.since) {
                return answerOf(server.pull(*principal, pull));
            }
            // Nothing new yet: the hub answers when something is committed or
            // the wait is over. The replica's checks (its id, its account) come
            // first, so a refused pull is refused at once.
            auto check = server.admit(*principal, pull.replicaId);
            if (!check) {
                return problemResponse(check.error());
            }
            auto stream = std::make_shared<ResponseStream>();
            hub.addWaiter(*principal, pull, stream);
            HttpResponse res = HttpResponse::streaming(stream, "application/json");
            res.setHeader("Cache-Control", "no-store");
            return res;
        });

    router.add(HttpMethod::Get, "/api/v1/sync/snapshot", [&server, authenticate](HttpRequest &req) {
        auto principal = authenticate(req);
        if (!principal) {
            return unauthorized(principal.error());
        }
        const QString replicaId =
            QString::fromStdString(req.query("replicaId").value_or(std::string()));
        return answerOf(server.snapshotOffer(*principal, replicaId));
    });

    // The snapshot's bytes, a part at a time: "Range: bytes=N-" resumes a
    // download; the answer is 206 with Content-Range whenever it is not the
    // whole file.
    router.add(
        HttpMethod::Get, "/api/v1/sync/snapshot/{name}", [&server, authenticate](HttpRequest &req) {
            auto principal = authenticate(req);
            if (!principal) {
                return unauthorized(principal.error());
            }
            qint64 offset = 0;
            if (const std::string_view range = req.header("Range"); !range.empty()) {
                static const QRegularExpression from(QStringLiteral("^bytes=([0-9]{1,18})-$"));
                const auto m = from.match(QString::fromUtf8(range.data(), qsizetype(range.size())));
                if (!m.hasMatch()) {
                    return problemResponse(
                        Error::invalid(QStringLiteral("Range must be bytes=N- (one open range)"),
                                       QStringLiteral("Range")));
                }
                offset = m.captured(1).toLongLong();
            }
            auto part =
                server.snapshotPart(*principal, QString::fromStdString(req.param("name")), offset);
            if (!part) {
                return problemResponse(part.error());
            }
            if (offset == part->total && offset > 0) {
                HttpResponse res = HttpResponse::empty(416);
                res.setHeader("Content-Range", "bytes */" + std::to_string(part->total));
                return res;
            }
            const qint64 size = part->data.size();
            HttpResponse res = HttpResponse::text(size == part->total ? 200 : 206,
                                                  part->data.toStdString(), "application/zstd");
            if (size != part->total) {
                res.setHeader("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                   std::to_string(offset + size - 1) + "/" +
                                                   std::to_string(part->total));
            }
            res.setHeader("Accept-Ranges", "bytes");
            res.setHeader("Cache-Control", "private, max-age=3600, immutable");
            return res;
        });

    router.add(HttpMethod::Get, "/api/v1/sync/stream",
               [&server, &hub, authenticate](HttpRequest &req) {
                   auto principal = authenticate(req);
                   if (!principal) {
                       return unauthorized(principal.error());
                   }
                   const QString replicaId =
                       QString::fromStdString(req.query("replicaId").value_or(std::string()));
                   auto check = server.admit(*principal, replicaId);
                   if (!check) {
                       return problemResponse(check.error());
                   }
                   auto stream = std::make_shared<ResponseStream>();
                   hub.addStream(stream);
                   HttpResponse res = HttpResponse::streaming(stream, "text/event-stream");
                   res.setHeader("Cache-Control", "no-store");
                   return res;
               });
}

} // namespace colophon::sync
