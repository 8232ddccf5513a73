// SPDX-License-Identifier: MIT
#include "sync/remote.h"

#include "backend/net/httpclient.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QUrl>
#include <QUrlQuery>

namespace colophon::sync {

namespace {

QString pairingPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("sync/remote.json"));
}

QString text(const nlohmann::json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                                 : QString();
}

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

} // namespace

Remote::Remote(QString dataDir, QString server, QString email, QString refreshToken)
    : m_dataDir(std::move(dataDir)), m_server(std::move(server)), m_email(std::move(email)),
      m_refreshToken(std::move(refreshToken)), m_http(std::make_unique<HttpClient>())
{
}

Remote::~Remote() = default;

Result<std::unique_ptr<Remote>> Remote::load(const QString &dataDir)
{
    QFile file(pairingPath(dataDir));
    if (!file.exists()) {
        return fail(Error::notFound(QStringLiteral(
            "this replica is not paired with a server: colophonctl remote add URL --email EMAIL")));
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(
            Error{ErrorCode::Internal,
                  QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()),
                  {}});
    }
    const auto j = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
    if (!j.is_object() || text(j, "server").isEmpty() || text(j, "refreshToken").isEmpty()) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("%1 is damaged: pair again with colophonctl remote add")
                              .arg(file.fileName()),
                          {}});
    }
    return std::unique_ptr<Remote>(
        new Remote(dataDir, text(j, "server"), text(j, "email"), text(j, "refreshToken")));
}

Result<std::unique_ptr<Remote>> Remote::pair(const QString &dataDir, const QString &server,
                                             const QString &email, const QString &password,
                                             const std::function<QString()> &askCode)
{
    auto base = validServer(server);
    if (!base) {
        return fail(base.error());
    }
    std::unique_ptr<Remote> remote(new Remote(dataDir, *base, email.trimmed(), {}));
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
    remote->m_refreshToken = text(*signedIn, "refreshToken");
    remote->m_accessToken = text(*signedIn, "accessToken").toUtf8();
    if (remote->m_refreshToken.isEmpty() || remote->m_accessToken.isEmpty()) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server's sign-in answer has no tokens"),
                          {}});
    }
    if (auto saved = remote->save(); !saved) {
        return fail(saved.error());
    }
    return remote;
}

Result<void> Remote::forget(const QString &dataDir)
{
    auto remote = load(dataDir);
    if (!remote) {
        return fail(remote.error());
    }
    // Ending the session on the server is a courtesy; forgetting is not optional.
    (void)(*remote)->call("POST", QStringLiteral("/api/v1/auth/logout"), nlohmann::json::object(),
                          true, 5000);
    if (!QFile::remove(pairingPath(dataDir))) {
        return fail(Error{
            ErrorCode::Internal, QStringLiteral("cannot remove %1").arg(pairingPath(dataDir)), {}});
    }
    return {};
}

Result<void> Remote::save() const
{
    const QString path = pairingPath(m_dataDir);
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
    const nlohmann::json j = {{"server", m_server.toStdString()},
                              {"email", m_email.toStdString()},
                              {"refreshToken", m_refreshToken.toStdString()}};
    file.write(QByteArray::fromStdString(j.dump(2)));
    if (!file.commit()) {
        return fail(Error{ErrorCode::Internal,
                          QStringLiteral("cannot write %1: %2").arg(path, file.errorString()),
                          {}});
    }
    return {};
}

Result<QByteArray> Remote::accessToken(bool renew)
{
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
    if (auto saved = save(); !saved) {
        return fail(saved.error());
    }
    return m_accessToken;
}

Result<nlohmann::json> Remote::call(const QByteArray &method, const QString &path,
                                    const nlohmann::json &body, bool authenticated, int timeoutMs)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        HttpClientRequest request;
        request.method = method;
        request.url = m_server + path;
        request.timeoutMs = timeoutMs;
        request.headers.append({QByteArray("Accept"), QByteArray("application/json")});
        if (method != "GET") {
            request.headers.append({QByteArray("Content-Type"), QByteArray("application/json")});
            request.body = QByteArray::fromStdString(body.dump());
        }
        if (authenticated) {
            auto token = accessToken(attempt > 0);
            if (!token) {
                return fail(token.error());
            }
            request.headers.append({QByteArray("Authorization"), QByteArray("Bearer " + *token)});
        }
        auto res = m_http->send(request);
        if (!res) {
            return fail(res.error());
        }
        if (res->status == 401 && authenticated && attempt == 0) {
            continue; // the access token expired: renew it once
        }
        if (res->status < 200 || res->status >= 300) {
            return fail(refusalOf(*res));
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
    return fail(
        Error{ErrorCode::Unauthenticated, QStringLiteral("the server refused the sign-in"), {}});
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
    return call("GET", QStringLiteral("/api/v1/sync/pull?") + query.toString(QUrl::FullyEncoded),
                {}, true, 120000 + request.waitMs);
}

Result<void> Remote::watch(const QString &replicaId, const std::function<bool(qint64)> &onHead)
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
        m_accessToken.clear(); // renewed on the next call
    }
    if (!stopped) {
        return fail(Error{ErrorCode::Unavailable,
                          QStringLiteral("the server's stream ended (status %1)").arg(*status),
                          {}});
    }
    return {};
}

} // namespace colophon::sync
