// SPDX-License-Identifier: MIT
#include "backend/net/httpclient.h"

#include <QUrl>
#include <curl/curl.h>
#include <exception>
#include <mutex>

namespace colophon {

namespace {

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// RFC 9110 token characters, for methods and header names.
bool isToken(QByteArrayView text)
{
    if (text.isEmpty()) {
        return false;
    }
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool isSafeHeaderValue(QByteArrayView value)
{
    return !value.contains('\r') && !value.contains('\n') && !value.contains('\0');
}

bool hasHeader(const QList<QPair<QByteArray, QByteArray>> &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

// The URL for messages and logs, without any user:password in it.
QString displayUrl(const QString &url)
{
    const QUrl parsed(url);
    return parsed.isValid() ? parsed.toString(QUrl::RemoveUserInfo) : url;
}

struct SlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

} // namespace

QByteArray HttpClientResponse::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0) {
            return h.second;
        }
    }
    return {};
}

struct HttpClient::Impl
{
    CURL *curl = nullptr;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    // State of the transfer under way.
    HttpClientResponse *response = nullptr;
    const std::function<bool(QByteArrayView)> *onData = nullptr;
    bool stoppedByCaller = false;
    bool tooLarge = false;
    std::exception_ptr callbackException;

    static size_t onHeader(char *data, size_t size, size_t count, void *self);
    static size_t onWrite(char *data, size_t size, size_t count, void *self);

    Result<void> prepare(const HttpClientRequest &request, curl_slist **headerList);
    Result<void> perform(const HttpClientRequest &request);
    QString describe(const HttpClientRequest &request) const
    {
        return QString::fromLatin1(request.method) + QLatin1Char(' ') + displayUrl(request.url);
    }
};

size_t HttpClient::Impl::onHeader(char *data, size_t size, size_t count, void *self)
{
    auto *d = static_cast<Impl *>(self);
    const size_t bytes = size * count;
    QByteArrayView line(data, qsizetype(bytes));
    while (line.endsWith('\n') || line.endsWith('\r')) {
        line.chop(1);
    }
    auto &headers = d->response->headers;
    if (line.startsWith("HTTP/")) {
        headers.clear(); // a new response begins (after a 1xx, for one)
    } else if (!line.isEmpty() && (line.front() == ' ' || line.front() == '\t')) {
        if (!headers.isEmpty()) { // an obsolete folded continuation
            headers.last().second += ' ' + line.trimmed().toByteArray();
        }
    } else if (const qsizetype colon = line.indexOf(':'); colon > 0) {
        headers.append({line.first(colon).trimmed().toByteArray(),
                        line.sliced(colon + 1).trimmed().toByteArray()});
    }
    return bytes;
}

size_t HttpClient::Impl::onWrite(char *data, size_t size, size_t count, void *self)
{
    auto *d = static_cast<Impl *>(self);
    const size_t bytes = size * count;
    if (d->onData) {
        try {
            if (!(*d->onData)(QByteArrayView(data, qsizetype(bytes)))) {
                d->stoppedByCaller = true;
                return CURL_WRITEFUNC_ERROR;
            }
        } catch (...) {
            // Exceptions must not unwind through libcurl's C frames.
            d->callbackException = std::current_exception();
            return CURL_WRITEFUNC_ERROR;
        }
        return bytes;
    }
    if (bytes > size_t(maxResponseBytes - d->response->body.size())) {
        d->tooLarge = true;
        return CURL_WRITEFUNC_ERROR;
    }
    d->response->body.append(data, qsizetype(bytes));
    return bytes;
}

Result<void> HttpClient::Impl::prepare(const HttpClientRequest &request, curl_slist **headerList)
{
    if (!curl) {
        return fail(Error::internal(QStringLiteral("could not create a curl handle")));
    }
    if (!isToken(request.method)) {
        return fail(
            Error::invalid(QStringLiteral("invalid HTTP method"), QStringLiteral("method")));
    }
    // Keeps the connection cache, so the next request can reuse the connection.
    curl_easy_reset(curl);
    errorBuffer[0] = '\0';
    stoppedByCaller = false;
    tooLarge = false;
    callbackException = nullptr;

    const QByteArray url = request.url.toUtf8();
    curl_easy_setopt(curl, CURLOPT_URL, url.constData()); // curl copies strings
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "127.0.0.1,localhost");
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(std::max(0, request.connectTimeoutMs)));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(std::max(0, request.timeoutMs)));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "colophon");
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Impl::onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::onWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);

    const QByteArray &method = request.method;
    const bool sendsBody =
        !request.body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && !sendsBody) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (method != "POST") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.constData());
    }
    if (sendsBody) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, request.body.constData());
    }

    curl_slist *list = nullptr;
    const auto append = [&list](const QByteArray &line) {
        if (curl_slist *grown = curl_slist_append(list, line.constData())) {
            list = grown;
            return true;
        }
        return false;
    };
    bool ok = true;
    for (const auto &[name, value] : request.headers) {
        if (!isToken(name) || !isSafeHeaderValue(value)) {
            curl_slist_free_all(list);
            return fail(Error::invalid(
                QStringLiteral("invalid header %1").arg(QString::fromLatin1(name.left(64))),
                QStringLiteral("headers")));
        }
        // "Name;" is curl's way to send a header with an empty value.
        ok = ok && append(value.isEmpty() ? name + ';' : name + ": " + value);
    }
    // Not curl's defaults: no form content type nobody asked for, and no
    // 100-continue round trip before large bodies.
    if (sendsBody && !hasHeader(request.headers, "Content-Type")) {
        ok = ok && append("Content-Type:");
    }
    if (!hasHeader(request.headers, "Expect")) {
        ok = ok && append("Expect:");
    }
    *headerList = list;
    if (!ok) {
        return fail(Error::internal(QStringLiteral("out of memory building request headers")));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    return {};
}

Result<void> HttpClient::Impl::perform(const HttpClientRequest &request)
{
    curl_slist *rawList = nullptr;
    auto prepared = prepare(request, &rawList);
    const std::unique_ptr<curl_slist, SlistDeleter> headerList(rawList);
    if (!prepared) {
        return prepared;
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr); // the list dies here
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response->status = int(status);
    if (callbackException) {
        std::rethrow_exception(callbackException);
    }
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && stoppedByCaller)) {
        return {};
    }
    if (tooLarge || code == CURLE_FILESIZE_EXCEEDED) {
        return fail(Error::internal(QStringLiteral("%1: the response is larger than %2 MiB")
                                        .arg(describe(request))
                                        .arg(maxResponseBytes / (1024 * 1024))));
    }
    QString reason = QString::fromUtf8(curl_easy_strerror(code));
    if (errorBuffer[0] != '\0') {
        reason +=
            QStringLiteral(" (") + QString::fromUtf8(errorBuffer).trimmed() + QLatin1Char(')');
    }
    const QString message = QStringLiteral("%1 failed: %2").arg(describe(request), reason);
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        return fail(Error::invalid(message, QStringLiteral("url")));
    }
    return fail(Error::unavailable(message));
}

HttpClient::HttpClient() : d(std::make_unique<Impl>())
{
    initCurlOnce();
    d->curl = curl_easy_init();
}

HttpClient::~HttpClient()
{
    if (d->curl) {
        curl_easy_cleanup(d->curl);
    }
}

Result<HttpClientResponse> HttpClient::send(const HttpClientRequest &request)
{
    HttpClientResponse response;
    d->response = &response;
    d->onData = nullptr;
    auto done = d->perform(request);
    d->response = nullptr;
    if (!done) {
        return fail(done.error());
    }
    return response;
}

Result<int> HttpClient::stream(const HttpClientRequest &request,
                               const std::function<bool(QByteArrayView)> &onData)
{
    HttpClientResponse response; // headers and status; the body goes to onData
    d->response = &response;
    d->onData = &onData;
    auto done = d->perform(request);
    d->response = nullptr;
    d->onData = nullptr;
    if (!done) {
        return fail(done.error());
    }
    return response.status;
}

std::vector<SseParser::SseEvent> SseParser::feed(QByteArrayView chunk)
{
    std::vector<SseEvent> out;
    if (m_skipLf && !chunk.isEmpty()) {
        if (chunk.front() == '\n') {
            chunk = chunk.sliced(1);
        }
        m_skipLf = false;
    }
    while (!chunk.isEmpty()) {
        qsizetype end = 0;
        while (end < chunk.size() && chunk[end] != '\n' && chunk[end] != '\r') {
            ++end;
        }
        if (end == chunk.size()) {
            m_line += chunk; // no line end yet
            break;
        }
        qsizetype next = end + 1;
        if (chunk[end] == '\r') {
            if (next == chunk.size()) {
                m_skipLf = true; // its LF, if any, comes with the next chunk
            } else if (chunk[next] == '\n') {
                ++next;
            }
        }
        if (m_line.isEmpty()) {
            processLine(chunk.first(end), out);
        } else {
            m_line += chunk.first(end);
            const QByteArray line = std::exchange(m_line, {});
            processLine(line, out);
        }
        chunk = chunk.sliced(next);
    }
    return out;
}

void SseParser::processLine(QByteArrayView line, std::vector<SseEvent> &out)
{
    if (std::exchange(m_firstLine, false) && line.startsWith("\xEF\xBB\xBF")) {
        line = line.sliced(3);
    }
    if (line.isEmpty()) {
        if (!m_data.isEmpty()) {
            m_data.chop(1); // the LF after the last data line
            out.push_back({std::exchange(m_event, {}), std::exchange(m_data, {}), m_lastId});
        }
        m_event.clear();
        return;
    }
    if (line.front() == ':') {
        return; // a comment, e.g. a heartbeat
    }
    QByteArrayView field = line;
    QByteArrayView value;
    if (const qsizetype colon = line.indexOf(':'); colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(' ')) {
            value = value.sliced(1);
        }
    }
    if (field == "event") {
        m_event = value.toByteArray();
    } else if (field == "data") {
        m_data += value;
        m_data += '\n';
    } else if (field == "id" && !value.contains('\0')) {
        m_lastId = value.toByteArray();
    }
    // "retry" and unknown fields are ignored.
}

} // namespace colophon
