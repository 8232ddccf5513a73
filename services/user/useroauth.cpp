// SPDX-License-Identifier: MIT
#include "services/user/useroauth.h"

#include "backend/auth/recoverycodes.h"
#include "backend/db/database.h"
#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "services/user/userservice.h"
#include "services/user/userstore.h"

#include <QCryptographicHash>
#include <QUrl>
#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace colophon {

// --- the service's side: codes bound to a parked session --------------------------------

namespace {

Error invalidGrant(const QString &message)
{
    return {ErrorCode::Unauthenticated, message, {}};
}

// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
bool verifierMatches(const QString &verifier, const QString &challenge)
{
    const QByteArray derived =
        QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return constantTimeEquals(derived, challenge.toLatin1());
}

} // namespace

Result<QString> UserService::issueAuthorizationCode(const TokenPair &signedIn,
                                                    const AuthorizationRequest &request)
{
    auto actor = authenticate(signedIn.accessToken);
    if (!actor) {
        return fail(actor.error());
    }
    const qint64 now = m_clock();
    const QString code = randomToken(32);
    const StoredAuthorizationCode row{request.clientId,
                                      request.redirectUri,
                                      request.codeChallenge,
                                      actor->userId,
                                      actor->sessionId,
                                      now + m_settings.authorizationCodeSeconds * 1000,
                                      0};
    auto stored = m_db.transact([&](Transaction &tx) -> Result<void> {
        // The sign-in's own tokens never leave the server: its refresh token
        // is marked used, and the session lives only as long as the code
        // until the exchange extends it.
        if (auto used = m_store->markRotated(tx, hashToken(signedIn.refreshToken), now); !used) {
            return used;
        }
        if (auto parked = m_store->setSessionExpiry(tx, row.sessionId, row.expiresAtMs); !parked) {
            return parked;
        }
        return m_store->insertAuthorizationCode(tx, hashToken(code), row, now);
    });
    if (!stored) {
        return fail(stored.error());
    }
    return code;
}

Result<TokenPair> UserService::exchangeAuthorizationCode(const CodeExchange &exchange)
{
    const qint64 now = m_clock();
    const QString hash = hashToken(exchange.code);
    // A refused exchange still commits (the code used up, its session
    // revoked), so the refusal travels out beside the result.
    std::optional<Error> refusal;
    auto result = m_db.transact([&](Transaction &tx) -> Result<TokenPair> {
        auto stored = m_store->authorizationCode(tx, hash);
        if (!stored) {
            return fail(stored.error());
        }
        if (!stored->has_value()) {
            return fail(invalidGrant(QStringLiteral("the authorization code is not valid")));
        }
        const StoredAuthorizationCode &c = **stored;
        auto first = m_store->useAuthorizationCode(tx, hash, now);
        if (!first) {
            return fail(first.error());
        }
        QString refused;
        if (!*first) {
            refused = QStringLiteral(
                "the authorization code was already used; the session it gave is revoked");
        } else if (c.expiresAtMs <= now) {
            refused = QStringLiteral("the authorization code has expired");
        } else if (c.clientId != exchange.clientId) {
            refused = QStringLiteral("the authorization code was issued to another client");
        } else if (c.redirectUri != exchange.redirectUri) {
            refused = QStringLiteral("redirect_uri is not the one of the authorization request");
        } else if (!verifierMatches(exchange.codeVerifier, c.codeChallenge)) {
            refused = QStringLiteral("code_verifier does not match the code_challenge");
        }
        if (!refused.isEmpty()) {
            refusal = invalidGrant(refused);
            auto revoked = revoke(tx, c.userId, c.sessionId,
                                  *first ? QStringLiteral("authorization-code-refused")
                                         : QStringLiteral("authorization-code-reuse"),
                                  now);
            if (!revoked && revoked.error().code != ErrorCode::NotFound) {
                return fail(revoked.error());
            }
            return TokenPair{};
        }
        auto session = m_store->liveSession(c.sessionId, now);
        auto account = m_store->accountById(c.userId);
        if (!session || !account) {
            return fail(session ? account.error() : session.error());
        }
        if (!session->has_value() || !account->has_value() ||
            (*account)->user.status != QLatin1String("active")) {
            refusal = invalidGrant(QStringLiteral("the session has ended"));
            return TokenPair{};
        }
        if (auto extended = m_store->setSessionExpiry(tx, c.sessionId,
                                                      now + m_settings.refreshTokenSeconds * 1000);
            !extended) {
            return fail(extended.error());
        }
        if (auto touched = m_store->touchSession(tx, c.sessionId, now); !touched) {
            return fail(touched.error());
        }
        return issueTokens(tx, (*account)->user, c.sessionId, now);
    });
    if (result && refusal) {
        return fail(*refusal);
    }
    return result;
}

// --- the routes ----------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxParameterBytes = 2048;
constexpr std::string_view kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";

struct OAuthClient
{
    std::string_view id;
    std::string_view name; // as the sign-in page names it
};

// Public clients (RFC 6749 §2.1): no secret, so PKCE is what binds a code to its client.
constexpr std::array kClients{OAuthClient{"colophon-console", "the Colophon console"},
                              OAuthClient{"colophonctl", "colophonctl"}};

const OAuthClient *findClient(std::string_view id)
{
    for (const OAuthClient &c : kClients) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

ClientInfo clientOf(const HttpRequest &req)
{
    return {qs(req.clientAddress), qs(std::string(req.header("User-Agent")))};
}

// Query or form parameters. RFC 6749 §3.1: a parameter without a value
// counts as omitted, and none may be given twice.
struct Params
{
    std::map<std::string, std::string> values;
    std::set<std::string> repeated;
    bool tooLong = false;

    std::string get(const std::string &name) const
    {
        const auto it = values.find(name);
        return it == values.end() ? std::string() : it->second;
    }
    bool has(const std::string &name) const { return values.count(name) > 0; }
};

Params parseParams(std::string_view text)
{
    Params p;
    while (!text.empty()) {
        const std::size_t amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        std::string name = percentDecode(pair.substr(0, eq), true);
        std::string value =
            eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1), true);
        p.tooLong = p.tooLong || value.size() > kMaxParameterBytes;
        if (!value.empty() && !p.values.emplace(name, std::move(value)).second) {
            p.repeated.insert(name);
        }
    }
    return p;
}

bool isFormBody(const HttpRequest &req)
{
    constexpr std::string_view form = "application/x-www-form-urlencoded";
    const std::string_view type = req.header("Content-Type");
    return type.size() >= form.size() && iequals(type.substr(0, form.size()), form) &&
           (type.size() == form.size() || type[form.size()] == ';');
}

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
bool isCodeVerifier(std::string_view v)
{
    return v.size() >= 43 && v.size() <= 128 && std::all_of(v.begin(), v.end(), isUnreserved);
}

// An S256 challenge is a base64url SHA-256 without padding: 43 characters.
bool isS256Challenge(std::string_view v)
{
    return v.size() == 43 && std::all_of(v.begin(), v.end(), [](char c) {
               return isUnreserved(c) && c != '.' && c != '~';
           });
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 8252 §7.3: http to a loopback IP literal with an explicit port (any:
// the client binds an ephemeral one) and a path. "localhost" is refused,
// since a hosts file or resolver may send it elsewhere; so are other hosts,
// https, userinfo and fragments. Answers the redirect's origin.
std::optional<std::string> loopbackOrigin(std::string_view uri)
{
    for (std::string_view host : {std::string_view("127.0.0.1"), std::string_view("[::1]")}) {
        const std::string prefix = "http://" + std::string(host) + ':';
        if (uri.substr(0, prefix.size()) != prefix) {
            continue;
        }
        const std::string_view rest = uri.substr(prefix.size());
        const std::size_t digits = rest.find_first_not_of("0123456789");
        if (digits == 0 || digits == std::string_view::npos || digits > 5 || rest[0] == '0' ||
            std::stoi(std::string(rest.substr(0, digits))) > 65535 || rest[digits] != '/') {
            return std::nullopt;
        }
        const std::string_view path = rest.substr(digits);
        constexpr std::string_view allowed = "!$&()*+,;=:/?";
        for (std::size_t i = 0; i < path.size(); ++i) {
            const char c = path[i];
            if (c == '%') {
                if (i + 2 >= path.size() || !isHex(path[i + 1]) || !isHex(path[i + 2])) {
                    return std::nullopt;
                }
                i += 2;
            } else if (!isUnreserved(c) && allowed.find(c) == std::string_view::npos) {
                return std::nullopt; // '#', '@', '\', quotes, spaces, controls, non-ASCII
            }
        }
        return std::string(uri.substr(0, prefix.size() + digits));
    }
    return std::nullopt;
}

std::string escaped(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

constexpr std::string_view kStyle =
    "body{font:16px/1.5 system-ui,sans-serif;background:#f4f4f2;color:#1d1d1b;margin:0}"
    "main{max-width:22rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.4rem;margin:0 0 .5rem}"
    "label{display:block;margin-top:1rem;font-weight:600}"
    "input{box-sizing:border-box;width:100%;padding:.5rem;margin-top:.25rem;font:inherit}"
    "button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;"
    "background:#1d4ed8;color:#fff;border:0;border-radius:4px}"
    ".error{background:#fde8e8;color:#8a1c1c;padding:.5rem .75rem;border-radius:4px}"
    ".note{color:#555;font-size:.875rem}"
    "@media (prefers-color-scheme:dark){body{background:#1b1b1b;color:#eee}"
    "main{background:#262626}.note{color:#aaa}}";

// formTarget: the redirect's origin, allowed beside 'self' because browsers
// apply form-action to the redirect that answers the form, too.
HttpResponse htmlPage(int status, std::string_view title, const std::string &content,
                      const std::string &formTarget = {})
{
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>" +
                       escaped(title) + " &middot; Colophon</title><style>" + std::string(kStyle) +
                       "</style></head><body><main>" + content + "</main></body></html>\n";
    HttpResponse res = HttpResponse::text(status, std::move(html), "text/html; charset=utf-8");
    res.setHeader("Content-Security-Policy",
                  std::string(kPagePolicy) + (formTarget.empty() ? "" : ' ' + formTarget));
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Cache-Control", "no-store");
    return res;
}

HttpResponse errorPage(int status, std::string_view message)
{
    return htmlPage(status, "Sign-in failed",
                    "<h1>This sign-in cannot go on</h1><p class=\"error\">" + escaped(message) +
                        "</p><p>Start signing in again from the application.</p>");
}

// The checked request: what the code will be bound to and where it goes.
struct ClientRequest
{
    const OAuthClient *client = nullptr;
    std::string redirectUri;
    std::string origin; // the redirect's
    std::string state;
    std::string codeChallenge;
};

HttpResponse redirectTo(const ClientRequest &r,
                        std::vector<std::pair<std::string, std::string>> params)
{
    if (!r.state.empty()) {
        params.emplace_back("state", r.state);
    }
    std::string location = r.redirectUri;
    char separator = location.find('?') == std::string::npos ? '?' : '&';
    for (const auto &[name, value] : params) {
        location += separator + name + '=' +
                    QUrl::toPercentEncoding(QByteArray::fromStdString(value)).toStdString();
        separator = '&';
    }
    HttpResponse res = HttpResponse::empty(302);
    res.setHeader("Location", location);
    res.setHeader("Cache-Control", "no-store");
    return res;
}

HttpResponse errorRedirect(const ClientRequest &r, const char *error, const char *description)
{
    return redirectTo(r, {{"error", error}, {"error_description", description}});
}

// The request when it is safe to act on; otherwise the answer. RFC 6749
// §4.1.2.1: an unknown client or an untrusted redirect gets a page, and
// only then may other errors go back to the client by redirect.
std::optional<HttpResponse> checkRequest(const Params &p, ClientRequest &out)
{
    if (p.tooLong) {
        return errorPage(400, "A parameter of this request is too long.");
    }
    if (p.repeated.count("client_id") || p.repeated.count("redirect_uri")) {
        return errorPage(400, "The request gives client_id or redirect_uri more than once.");
    }
    out.client = findClient(p.get("client_id"));
    if (out.client == nullptr) {
        return errorPage(400, p.has("client_id")
                                  ? "The application (client_id) is not known to this server."
                                  : "The request does not name its application (client_id).");
    }
    out.redirectUri = p.get("redirect_uri");
    auto origin = loopbackOrigin(out.redirectUri);
    if (!origin) {
        return errorPage(400, "The request's redirect_uri is missing or is not a loopback "
                              "address of this computer (http://127.0.0.1:PORT/... or "
                              "http://[::1]:PORT/...).");
    }
    out.origin = *origin;
    out.state = p.get("state");
    out.codeChallenge = p.get("code_challenge");
    const std::string responseType = p.get("response_type");
    if (!p.repeated.empty()) {
        return errorRedirect(out, "invalid_request", "a parameter is given more than once");
    }
    if (responseType.empty()) {
        return errorRedirect(out, "invalid_request", "response_type is missing");
    }
    if (responseType != "code") {
        return errorRedirect(out, "unsupported_response_type", "only response_type=code is served");
    }
    if (out.codeChallenge.empty()) {
        return errorRedirect(out, "invalid_request", "code_challenge is required (PKCE)");
    }
    if (p.get("code_challenge_method") != "S256") {
        return errorRedirect(out, "invalid_request", "code_challenge_method must be S256");
    }
    if (!isS256Challenge(out.codeChallenge)) {
        return errorRedirect(out, "invalid_request",
                             "code_challenge must be 43 base64url characters");
    }
    return std::nullopt;
}

std::string hidden(std::string_view name, std::string_view value)
{
    return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + escaped(value) +
           "\">";
}

// A form that carries the request on, as it was served.
std::string formStart(const ClientRequest &r)
{
    std::string form =
        "<form method=\"post\" action=\"/oauth/authorize\">" + hidden("response_type", "code") +
        hidden("client_id", r.client->id) + hidden("redirect_uri", r.redirectUri) +
        hidden("code_challenge", r.codeChallenge) + hidden("code_challenge_method", "S256");
    return r.state.empty() ? form : form + hidden("state", r.state);
}

std::string errorLine(std::string_view error)
{
    return error.empty() ? std::string()
                         : "<p class=\"error\" role=\"alert\">" + escaped(error) + "</p>";
}

HttpResponse signInPage(const ClientRequest &r, int status, std::string_view error,
                        std::string_view email)
{
    return htmlPage(
        status, "Sign in",
        "<h1>Sign in</h1><p>to continue in <strong>" + escaped(r.client->name) +
            "</strong> on this computer.</p>" + errorLine(error) + formStart(r) +
            "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" "
            "autocomplete=\"username\" required autofocus value=\"" +
            escaped(email) +
            "\"><label for=\"password\">Password</label><input id=\"password\" name=\"password\" "
            "type=\"password\" autocomplete=\"current-password\" required>"
            "<button type=\"submit\">Sign in</button></form><p class=\"note\">Then you return "
            "to the application at " +
            escaped(r.origin) + ".</p>",
        r.origin);
}

HttpResponse codePage(const ClientRequest &r, const std::string &mfaToken, int status,
                      std::string_view error)
{
    return htmlPage(status, "Two-step sign-in",
                    "<h1>Two-step sign-in</h1><p>Enter the code your authenticator app shows, "
                    "or one of your recovery codes.</p>" +
                        errorLine(error) + formStart(r) + hidden("mfaToken", mfaToken) +
                        "<label for=\"code\">Code</label><input id=\"code\" name=\"code\" "
                        "autocomplete=\"one-time-code\" required autofocus>"
                        "<button type=\"submit\">Continue</button></form>",
                    r.origin);
}

// A refused sign-in, on the password page again. `refused` is what a wrong
// credential shows: the same words for an unknown email and a wrong password.
HttpResponse signInFailure(const ClientRequest &r, const Error &e, std::string_view refused,
                           std::string_view email)
{
    switch (e.code) {
    case ErrorCode::Unauthenticated:
        return signInPage(r, 200, refused, email);
    case ErrorCode::RateLimited: {
        HttpResponse res =
            signInPage(r, 429, "Too many failed sign-ins. Try again in a little while.", email);
        res.setHeader("Retry-After", std::to_string(std::max(1, e.retryAfterSeconds)));
        return res;
    }
    case ErrorCode::PermissionDenied:
        return signInPage(r, 403, "This account cannot sign in now.", email);
    default:
        return signInPage(r, 500, "The server could not complete the sign-in. Try again.", email);
    }
}

HttpResponse codeRedirect(UserService &users, const ClientRequest &r, const TokenPair &signedIn)
{
    auto code = users.issueAuthorizationCode(
        signedIn, {qs(std::string(r.client->id)), qs(r.redirectUri), qs(r.codeChallenge)});
    if (!code) {
        return signInPage(r, 500, "The server could not complete the sign-in. Try again.", {});
    }
    return redirectTo(r, {{"code", code->toStdString()}});
}

// Cross-site request forgery. The page sets no cookie and the server keeps
// no state for it, so a forged POST carries no ambient credential: it must
// itself bring the password (or the mfaToken, a 256-bit secret shown only in
// the page that answered the password), which a forger does not have. The
// OAuth form of login CSRF, a forger posting their own password so that the
// victim's client receives a code for the forger's account, fails too: the
// code is bound to the code_challenge the form carried, and only the client
// that opened the browser knows the verifier of its own challenge (and checks
// its state), so such a code is refused at /oauth/token. The browser's own
// word (Sec-Fetch-Site, else Origin) refuses cross-site posts before all
// that, as defence in depth.
std::optional<HttpResponse> refuseCrossSite(const HttpRequest &req)
{
    const std::string_view site = req.header("Sec-Fetch-Site");
    bool foreign = !site.empty() && site != "same-origin" && site != "none";
    const std::string_view origin = req.header("Origin");
    if (site.empty() && !origin.empty() && origin != "null") {
        const std::size_t scheme = origin.find("://");
        const std::string_view authority =
            scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
        foreign = !iequals(authority, req.header("Host"));
    }
    if (foreign) {
        return errorPage(403, "This form can only be sent from the sign-in page itself.");
    }
    return std::nullopt;
}

HttpResponse authorizeForm(UserService &users, HttpRequest &req)
{
    if (auto refused = refuseCrossSite(req)) {
        return *refused;
    }
    if (!isFormBody(req)) {
        return errorPage(400, "The sign-in form was not sent as a form.");
    }
    const Params p = parseParams(req.body);
    ClientRequest r;
    if (auto refused = checkRequest(p, r)) {
        return *refused;
    }
    if (p.has("mfaToken")) {
        const std::string token = p.get("mfaToken");
        if (!p.has("code")) {
            return codePage(r, token, 200, "Enter a code.");
        }
        auto tokens = users.verifyMfa(qs(token), qs(p.get("code")), clientOf(req));
        if (!tokens && tokens.error().code == ErrorCode::Unauthenticated &&
            tokens.error().field == QLatin1String("code")) {
            return codePage(r, token, 200, "That code is wrong, expired or already used.");
        }
        if (!tokens) {
            return signInFailure(r, tokens.error(),
                                 "The sign-in took too long or had too many wrong codes. "
                                 "Sign in again.",
                                 {});
        }
        return codeRedirect(users, r, *tokens);
    }
    const std::string email = p.get("email");
    if (email.empty() || !p.has("password")) {
        return signInPage(r, 200, "Enter your email and password.", email);
    }
    auto login = users.login(qs(email), qs(p.get("password")), clientOf(req));
    if (!login) {
        return signInFailure(r, login.error(), "The email or password is wrong.", email);
    }
    if (!login->tokens) {
        return codePage(r, login->mfaToken.toStdString(), 200, {});
    }
    return codeRedirect(users, r, *login->tokens);
}

// RFC 6749 §5.2.
HttpResponse oauthError(int status, const char *error, const std::string &description)
{
    HttpResponse res =
        HttpResponse::json(status, {{"error", error}, {"error_description", description}});
    res.setHeader("Cache-Control", "no-store");
    return res;
}

HttpResponse tokenResponse(const Result<TokenPair> &tokens)
{
    if (!tokens) {
        const ErrorCode code = tokens.error().code;
        if (code == ErrorCode::Unauthenticated || code == ErrorCode::PermissionDenied) {
            return oauthError(400, "invalid_grant", tokens.error().message.toStdString());
        }
        return problemResponse(tokens.error());
    }
    HttpResponse res =
        HttpResponse::json(200, {{"access_token", tokens->accessToken.toStdString()},
                                 {"token_type", "Bearer"},
                                 {"expires_in", tokens->expiresIn},
                                 {"refresh_token", tokens->refreshToken.toStdString()}});
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    return res;
}

HttpResponse tokenRequest(UserService &users, HttpRequest &req)
{
    if (!isFormBody(req)) {
        return oauthError(400, "invalid_request",
                          "the body must be application/x-www-form-urlencoded");
    }
    const Params p = parseParams(req.body);
    if (p.tooLong) {
        return oauthError(400, "invalid_request", "a parameter is too long");
    }
    if (!p.repeated.empty()) {
        return oauthError(400, "invalid_request", *p.repeated.begin() + " is given more than once");
    }
    const std::string grant = p.get("grant_type");
    if (grant.empty()) {
        return oauthError(400, "invalid_request", "grant_type is missing");
    }
    if (grant != "authorization_code" && grant != "refresh_token") {
        return oauthError(400, "unsupported_grant_type",
                          "grant_type must be authorization_code or refresh_token");
    }
    if (p.has("client_id") && findClient(p.get("client_id")) == nullptr) {
        return oauthError(401, "invalid_client", "client_id is not known to this server");
    }
    if (grant == "refresh_token") {
        if (!p.has("refresh_token")) {
            return oauthError(400, "invalid_request", "refresh_token is missing");
        }
        return tokenResponse(users.refresh(qs(p.get("refresh_token")), clientOf(req)));
    }
    for (const char *name : {"code", "redirect_uri", "client_id", "code_verifier"}) {
        if (!p.has(name)) {
            return oauthError(400, "invalid_request", std::string(name) + " is missing");
        }
    }
    if (!isCodeVerifier(p.get("code_verifier"))) {
        return oauthError(400, "invalid_request",
                          "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
    }
    return tokenResponse(
        users.exchangeAuthorizationCode({qs(p.get("code")), qs(p.get("client_id")),
                                         qs(p.get("redirect_uri")), qs(p.get("code_verifier"))}));
}

} // namespace

void registerOAuthRoutes(Router &router, UserService &users)
{
    router.add(HttpMethod::Get, "/oauth/authorize", RouteClass::Auth, [](HttpRequest &req) {
        ClientRequest r;
        if (auto refused = checkRequest(parseParams(req.rawQuery), r)) {
            return *refused;
        }
        return signInPage(r, 200, {}, {});
    });
    router.add(HttpMethod::Post, "/oauth/authorize", RouteClass::Auth, RouteWork::HashesPassword,
               [&users](HttpRequest &req) { return authorizeForm(users, req); });
    router.add(HttpMethod::Post, "/oauth/token", RouteClass::Auth,
               [&users](HttpRequest &req) { return tokenRequest(users, req); });
}

} // namespace colophon
