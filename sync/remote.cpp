// SPDX-License-Identifier: MIT
#include "sync/remote.h"

#include "backend/net/httpclient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>
#include <QUrlQuery>

namespace colophon::sync {

namespace {

// The problem+json of a refusal as an Error with the server's words.
Error refusalOf(const HttpClientResponse &res)
{
    const auto body = nlohmann::json::parse(res.body.toStdString(), nullptr, false);
    const QString detail = body.is_object() ? text(body, "detail") : QString();
    const QString field = body.is_object() ? text(body, "field") : QString();
    ErrorCode code = ErrorCode::Internal;
    switch (res.status) {
    case 400:
    case 413:
    case 422:
        code = ErrorCode::InvalidInput;
        break;
    case 401:
        code = ErrorCode::Unauthenticated;
        break;
    case 403:
        code = ErrorCode::PermissionDenied;
        break;
    case 404:
        code = ErrorCode::NotFound;
        break;
    case 409:
        code = ErrorCode::Conflict;
        break;
    case 429:
        code = ErrorCode::RateLimited;
        break;
    default:
        code = res.status >= 500 ? ErrorCode::Unavailable : ErrorCode::Internal;
    }
    return Error{code,
                 detail.isEmpty() ? QStringLiteral("the server answered %1").arg(res.status)
                                  : QStringLiteral("the server refused: %1").arg(detail),
                 field};
}

Result<QString> validServer(const QString &server)
{
    const QUrl url(server, QUrl::StrictMode);
    if (!url.isValid() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty() || !url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return fail(
            Error::invalid(QStringLiteral("the server must be an http or https address, such as "
                                          "https://colophon.example.org"),
                           QStringLiteral("server")));
    }
    QString base = url.toString(QUrl::StripTrailingSlash);
    return base;
}

// remote.json is written by the pairing and by the file store, from any
// thread: each read-modify-write holds this.
std::mutex &pairingFileMutex()
{
    static std::mutex mutex;
    return mutex;
}

// The pairing file's object; NotFound when there is no file.
Result<nlohmann::json> readPairing(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        return fail(Error::notFound(QStringLiteral(
            "this replica is not paired with a server: colophonctl remote add URL --email EMAIL")));
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("cannot read %1: %2").arg(path, file.errorString()),
                          {}});
    }
    auto j = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (!j.is_object()) {
        return fail(
            Error{ErrorCode::Internal,
                  QStringLiteral("%1 is damaged: pair again with colophonctl remote add").arg(path),
                  {}});
    }
    return j;
}

// Replaces the pairing file at once, readable by its owner alone.
Result<void> writePairing(const QString &path, const nlohmann::json &j)
{
    if (!QDir().mkpath(QFileInfo(path).path())) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("cannot create %1").arg(QFileInfo(path).path()),
                          {}});
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("cannot write %1: %2").arg(path, file.errorString()),
                          {}});
    }
    file.write(QByteArray::fromStdString(j.dump(2)));
    if (!file.commit()) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("cannot write %1: %2").arg(path, file.errorString()),
                          {}});
    }
    return {};
}

} // namespace

// --- FileTokenStore ------------------------------------------------------------------------

QString FileTokenStore::path() const
{
    return Remote::pairingPath(m_dataDir);
}

Result<QString> FileTokenStore::load()
{
    std::lock_guard lock(pairingFileMutex());
    auto j = readPairing(path());
    if (!j) {
        return fail(j.error());
    }
    const QString token = text(*j, "refreshToken");
    if (token.isEmpty()) {
        return fail(Error::notFound(QStringLiteral("%1 holds no sign-in token").arg(path())));
    }
    return token;
}

Result<void> FileTokenStore::save(const QString &refreshToken)
{
    std::lock_guard lock(pairingFileMutex());
    auto j = readPairing(path());
    if (!j) {
        return fail(j.error());
    }
    (*j)["refreshToken"] = refreshToken.toStdString();
    return writePairing(path(), *j);
}

Result<void> FileTokenStore::erase()
{
    std::lock_guard lock(pairingFileMutex());
    auto j = readPairing(path());
    if (!j) {
        return j.error().code == ErrorCode::NotFound ? Result<void>() : fail(j.error());
    }
    if (!j->contains("refreshToken")) {
        return {};
    }
    j->erase("refreshToken");
    return writePairing(path(), *j);
}

// --- Remote --------------------------------------------------------------------------------

Remote::Remote(QString dataDir, QString server, QString email, QString refreshToken,
               std::shared_ptr<TokenStore> store)
    : m_dataDir(std::move(dataDir)), m_server(std::move(server)), m_email(std::move(email)),
      m_store(std::move(store)), m_refreshToken(std::move(refreshToken)),
      m_http(std::make_unique<HttpClient>())
{
    if (!m_store) {
        m_store = std::make_shared<FileTokenStore>(m_dataDir);
    }
}

Remote::~Remote() = default;

QString Remote::pairingPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("sync/remote.json"));
}

bool Remote::isPaired(const QString &dataDir)
{
    return QFile::exists(pairingPath(dataDir));
}

Result<std::unique_ptr<Remote>> Remote::load(const QString &dataDir,
                                             std::shared_ptr<TokenStore> store)
{
    if (!store) {
        store = std::make_shared<FileTokenStore>(dataDir);
    }
    const QString path = pairingPath(dataDir);
    Result<nlohmann::json> j = [&] {
        std::lock_guard lock(pairingFileMutex());
        return readPairing(path);
    }();
    if (!j) {
        return fail(j.error());
    }
    if (text(*j, "server").isEmpty()) {
        return fail(
            Error{ErrorCode::Internal,
                  QStringLiteral("%1 is damaged: pair again with colophonctl remote add").arg(path),
                  {}});
    }
    auto token = store->load();
    if (!token) {
        const QString keptIn = text(*j, "tokenStore");
        if (token.error().code != ErrorCode::NotFound) {
            return fail(token.error());
        }
        if (!keptIn.isEmpty() && keptIn != store->kind()) {
            return fail(Error{ErrorCode::Unauthenticated,
                              QStringLiteral("this replica's sign-in token is kept in the %1 "
                                             "(the console paired it), out of reach here: sign "
                                             "in again (colophonctl remote remove, then remote "
                                             "add)")
                                  .arg(keptIn == QLatin1String("keychain")
                                           ? QStringLiteral("system keychain")
                                           : keptIn),
                              {}});
        }
        return fail(
            Error{ErrorCode::Internal,
                  QStringLiteral("%1 is damaged: pair again with colophonctl remote add").arg(path),
                  {}});
    }
    return std::unique_ptr<Remote>(
        new Remote(dataDir, text(*j, "server"), text(*j, "email"), *token, std::move(store)));
}

Result<std::unique_ptr<Remote>> Remote::pair(const QString &dataDir, const QString &server,
                                             const QString &email, const QString &password,
                                             const std::function<QString()> &askCode)
{
    auto base = validServer(server);
    if (!base) {
        return fail(base.error());
    }
    std::unique_ptr<Remote> remote(new Remote(dataDir, *base, email.trimmed(), {}, {}));
    auto hello = remote->hello({{"protocol", kProtocolVersion}});
    if (!hello) {
        return fail(hello.error());
    }
    auto signedIn = remote->call(
        "POST", QStringLiteral("/api/v1/auth/login"),
        {{"email", email.trimmed().toStdString()}, {"password", password.toStdString()}}, false,
        30000);
    if (!signedIn) {
        return fail(signedIn.error());
    }
    if (signedIn->value("mfaRequired", false)) {
        const QString code = askCode ? askCode().trimmed() : QString();
        if (code.isEmpty()) {
            return fail(Error{ErrorCode::Unauthenticated,
                              QStringLiteral("the account needs its authenticator code"),
                              QStringLiteral("code")});
        }
        signedIn = remote->call(
            "POST", QStringLiteral("/api/v1/auth/mfa/verify"),
            {{"mfaToken", text(*signedIn, "mfaToken").toStdString()}, {"code", code.toStdString()}},
            false, 30000);
        if (!signedIn) {
            return fail(signedIn.error());
        }
    }
    return pairWithTokens(dataDir, *base, email, text(*signedIn, "accessToken"),
                          text(*signedIn, "refreshToken"), remote->m_store);
}

Result<std::unique_ptr<Remote>> Remote::pairWithTokens(const QString &dataDir,
                                                       const QString &server, const QString &email,
                                                       const QString &accessToken,
                                                       const QString &refreshToken,
                                                       std::shared_ptr<TokenStore> store)
{
    auto base = validServer(server);
    if (!base) {
        return fail(base.error());
    }
    if (refreshToken.isEmpty() || accessToken.isEmpty()) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server's sign-in answer has no tokens"),
                          {}});
    }
    std::unique_ptr<Remote> remote(
        new Remote(dataDir, *base, email.trimmed(), refreshToken, std::move(store)));
    remote->m_accessToken = accessToken.toUtf8();
    if (auto saved = remote->savePairing(); !saved) {
        return fail(saved.error());
    }
    if (auto kept = remote->m_store->save(refreshToken); !kept) {
        QFile::remove(pairingPath(dataDir)); // half a pairing is none
        return fail(kept.error());
    }
    return remote;
}

Result<void> Remote::forget(const QString &dataDir, std::shared_ptr<TokenStore> store)
{
    if (!store) {
        store = std::make_shared<FileTokenStore>(dataDir);
    }
    auto remote = load(dataDir, store);
    if (!remote && remote.error().code == ErrorCode::NotFound) {
        return fail(remote.error());
    }
    if (remote) {
        // Ending the session on the server is a courtesy; forgetting is not optional.
        (void)(*remote)->call("POST", QStringLiteral("/api/v1/auth/logout"),
                              nlohmann::json::object(), true, 5000);
    }
    (void)store->erase();
    std::lock_guard lock(pairingFileMutex());
    if (!QFile::remove(pairingPath(dataDir))) {
        return fail(Error{
            ErrorCode::Internal, QStringLiteral("cannot remove %1").arg(pairingPath(dataDir)), {}});
    }
    return {};
}

Result<void> Remote::savePairing() const
{
    nlohmann::json j = {{"server", m_server.toStdString()}, {"email", m_email.toStdString()}};
    if (m_store->kind() != QLatin1String("file")) {
        j["tokenStore"] = m_store->kind().toStdString();
    }
    std::lock_guard lock(pairingFileMutex());
    return writePairing(pairingPath(m_dataDir), j);
}

Result<QByteArray> Remote::accessToken(bool renew)
{
    std::lock_guard lock(m_tokenMutex);
    if (!m_accessToken.isEmpty() && !renew) {
        return m_accessToken;
    }
    auto tokens = call("POST", QStringLiteral("/api/v1/auth/refresh"),
                       {{"refreshToken", m_refreshToken.toStdString()}}, false, 30000);
    if (!tokens) {
        if (tokens.error().code == ErrorCode::Unauthenticated) {
            return fail(Error{ErrorCode::Unauthenticated,
                              QStringLiteral("the server no longer accepts this replica's "
                                             "sign-in: pair again with colophonctl remote add"),
                              {}});
        }
        return fail(tokens.error());
    }
    m_refreshToken = text(*tokens, "refreshToken");
    m_accessToken = text(*tokens, "accessToken").toUtf8();
    if (auto saved = m_store->save(m_refreshToken); !saved) {
        return fail(saved.error());
    }
    return m_accessToken;
}

Result<HttpClientResponse> Remote::exchange(const QByteArray &method, const QString &path,
                                            const nlohmann::json &body, bool authenticated,
                                            int timeoutMs,
                                            const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray rejected; // the access token the server refused, if any
    for (int attempt = 0; attempt < 2; ++attempt) {
        HttpClientRequest request;
        request.method = method;
        request.url = m_server + path;
        request.timeoutMs = timeoutMs;
        request.headers = headers;
        if (method != "GET") {
            request.headers.append({QByteArray("Content-Type"), QByteArray("application/json")});
            request.body = QByteArray::fromStdString(body.dump());
        }
        QByteArray bearer;
        if (authenticated) {
            // Renew only the token the server refused: another thread may
            // have renewed it meanwhile, and every renewal rotates.
            auto token = [&]() -> Result<QByteArray> {
                if (rejected.isEmpty()) {
                    return accessToken(false);
                }
                {
                    std::lock_guard lock(m_tokenMutex);
                    if (!m_accessToken.isEmpty() && m_accessToken != rejected) {
                        return m_accessToken;
                    }
                }
                return accessToken(true);
            }();
            if (!token) {
                return fail(token.error());
            }
            bearer = *token;
            request.headers.append({QByteArray("Authorization"), QByteArray("Bearer " + bearer)});
        }
        auto res = [&] {
            std::lock_guard lock(m_httpMutex);
            return m_http->send(request);
        }();
        if (!res) {
            return fail(res.error());
        }
        if (res->status == 401 && authenticated && attempt == 0) {
            rejected = bearer;
            continue; // the access token expired: renew it once
        }
        if (res->status < 200 || res->status >= 300) {
            return fail(refusalOf(*res));
        }
        return std::move(*res);
    }
    return fail(
        Error{ErrorCode::Unauthenticated, QStringLiteral("the server refused the sign-in"), {}});
}

Result<nlohmann::json> Remote::call(const QByteArray &method, const QString &path,
                                    const nlohmann::json &body, bool authenticated, int timeoutMs)
{
    auto res = exchange(method, path, body, authenticated, timeoutMs,
                        {{QByteArray("Accept"), QByteArray("application/json")}});
    if (!res) {
        return fail(res.error());
    }
    if (res->status == 204) {
        return nlohmann::json::object();
    }
    auto j = nlohmann::json::parse(res->body.toStdString(), nullptr, false);
    if (j.is_discarded()) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server's answer to %1 is not JSON").arg(path),
                          {}});
    }
    return j;
}

Result<nlohmann::json> Remote::snapshotOffer(const QString &replicaId)
{
    return call("GET", QStringLiteral("/api/v1/sync/snapshot?replicaId=") + replicaId, {}, true,
                // Making a snapshot of a large log takes a while.
                600000);
}

Result<QByteArray> Remote::snapshotPart(const QString &name, qint64 offset)
{
    const QString path = QStringLiteral("/api/v1/sync/snapshot/") +
                         QString::fromLatin1(QUrl::toPercentEncoding(name));
    auto res = exchange("GET", path, {}, true, 120000,
                        {{QByteArray("Accept"), QByteArray("application/zstd")},
                         {QByteArray("Range"), "bytes=" + QByteArray::number(offset) + "-"}});
    if (!res) {
        return fail(res.error());
    }
    if (res->status == 200 && offset > 0) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server ignored the range of %1").arg(path),
                          {}});
    }
    return std::move(res->body);
}

Result<nlohmann::json> Remote::hello(const nlohmann::json &request)
{
    return call("POST", QStringLiteral("/api/v1/sync/hello"), request, false, 30000);
}

Result<nlohmann::json> Remote::push(const nlohmann::json &request)
{
    return call("POST", QStringLiteral("/api/v1/sync/push"), request, true, 120000);
}

Result<nlohmann::json> Remote::pull(const PullRequest &request)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("replicaId"), request.replicaId);
    query.addQueryItem(QStringLiteral("since"), QString::number(request.since));
    query.addQueryItem(QStringLiteral("limit"), QString::number(request.limit));
    if (request.waitMs > 0) {
        query.addQueryItem(QStringLiteral("wait"), QString::number(request.waitMs));
    }
    if (request.checksum) {
        query.addQueryItem(QStringLiteral("checksum"), QStringLiteral("1"));
    }
    return call("GET", QStringLiteral("/api/v1/sync/pull?") + query.toString(QUrl::FullyEncoded),
                {}, true, 120000 + request.waitMs);
}

Result<void> Remote::watch(const QString &replicaId, const std::function<bool(qint64)> &onHead,
                           const std::function<bool()> &stopRequested)
{
    auto token = accessToken(false);
    if (!token) {
        return fail(token.error());
    }
    HttpClientRequest request;
    request.url = m_server + QStringLiteral("/api/v1/sync/stream?replicaId=") + replicaId;
    request.timeoutMs = 0;
    request.headers.append({QByteArray("Accept"), QByteArray("text/event-stream")});
    request.headers.append({QByteArray("Authorization"), QByteArray("Bearer " + *token)});
    SseParser parser;
    bool stopped = false;
    // A client of its own: onHead may well sync, over m_http, meanwhile.
    HttpClient streamClient;
    auto status = streamClient.stream(request, [&](QByteArrayView chunk) {
        if (stopRequested && stopRequested()) {
            stopped = true;
            return false;
        }
        for (const auto &event : parser.feed(chunk)) {
            if (event.event != "head") {
                continue;
            }
            const auto j = nlohmann::json::parse(event.data.toStdString(), nullptr, false);
            if (j.is_object() && j.contains("head") && j["head"].is_number_integer() &&
                !onHead(j["head"].get<qint64>())) {
                stopped = true;
                return false;
            }
        }
        return true;
    });
    if (!status) {
        return fail(status.error());
    }
    if (*status == 401) {
        // Renewed on the next call, unless another thread has done it already.
        std::lock_guard lock(m_tokenMutex);
        if (m_accessToken == *token) {
            m_accessToken.clear();
        }
    }
    if (!stopped) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server's stream ended (status %1)").arg(*status),
                          {}});
    }
    return {};
}

} // namespace colophon::sync
