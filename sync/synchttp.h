// SPDX-License-Identifier: MIT
// The sync protocol over HTTP, on the server (docs/sync-protocol.md): the
// routes under /api/v1/sync/, and the hub that holds long-polls and event
// streams open until something is committed. Handlers run on the server's
// I/O threads and never block them: a pull that waits, and a stream, hand
// their response to the hub, which answers from its own thread.
#pragma once

#include "backend/core/error.h"
#include "backend/events/replication.h"
#include "sync/syncprotocol.h"

#include <QMutex>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace colophon {

class ResponseStream;
class Router;
struct HttpRequest;

namespace sync {

class SyncServer;

// Who the request is from: the bearer token's account, or Unauthenticated.
using Authenticator = std::function<Result<Principal>(HttpRequest &)>;

class SyncHub final
{
public:
    explicit SyncHub(SyncServer &server);
    ~SyncHub();

    // Something was committed up to head: answers the waiting pulls that can
    // now get events and tells every stream. Called on the hub's thread.
    void notify(qint64 head);
    // Answers pulls whose wait is over and sends keep-alives to streams.
    // Called about once a second, on the hub's thread.
    void tick();

    void addWaiter(const Principal &principal, const PullRequest &request,
                   std::shared_ptr<ResponseStream> stream);
    void addStream(std::shared_ptr<ResponseStream> stream);
    int openStreams() const;

private:
    struct Waiter
    {
        Principal principal;
        PullRequest request;
        std::shared_ptr<ResponseStream> stream;
        std::chrono::steady_clock::time_point deadline;
    };
    void answer(Waiter &waiter);

    SyncServer &m_server;
    mutable QMutex m_mutex;
    std::vector<Waiter> m_waiters;
    std::vector<std::shared_ptr<ResponseStream>> m_streams;
    std::chrono::steady_clock::time_point m_lastKeepAlive;
    qint64 m_head = 0;
};

void registerSyncRoutes(Router &router, SyncServer &server, SyncHub &hub,
                        Authenticator authenticate);

} // namespace sync
} // namespace colophon
