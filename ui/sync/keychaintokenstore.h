// SPDX-License-Identifier: MIT
// The console's TokenStore: the refresh token in the OS keychain (QtKeychain:
// Secret Service, KWallet, the macOS Keychain, Windows' Credential Manager)
// under the service "Colophon" and a key naming the data folder. When no
// keychain service answers (a machine without Secret Service, as in CI) it
// keeps the token in the 0600 file colophonctl uses, and says so
// (fellBack(), fellBackToFile) for the UI to show.
//
// Invariants: keychain jobs run on the thread the store lives in (the UI
// thread, whose event loop they need); a worker's call waits for them a few
// seconds at most and then uses the file. The file holds a token only while
// the newest save went there: a keychain save removes it, and load prefers
// it. A token is never saved once the pairing is gone.
#pragma once

#include "sync/remote.h"

#include <QObject>
#include <atomic>
#include <functional>

namespace colophon {

class KeychainTokenStore final : public QObject, public sync::TokenStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainTokenStore)

public:
    static inline const QString kService = QStringLiteral("Colophon");

    explicit KeychainTokenStore(const QString &dataDir, QObject *parent = nullptr);

    Result<QString> load() override;
    Result<void> save(const QString &refreshToken) override;
    Result<void> erase() override;
    QString kind() const override { return QStringLiteral("keychain"); }

    // The keychain entry's key: one per data folder.
    QString key() const { return m_key; }
    // The file the token falls back to (<data>/sync/remote.json).
    QString filePath() const { return m_file.path(); }
    bool fellBack() const { return m_fellBack; }
    // The warning to show while the token is in the file; empty otherwise.
    QString warning() const;
    // How long a call waits for the keychain (default 5 s).
    void setTimeout(int ms) { m_timeoutMs = ms; }

signals:
    // The token went to the file; why: the keychain's own words.
    void fellBackToFile(const QString &path, const QString &why);

private:
    enum class Op { Read, Write, Delete };
    struct Outcome
    {
        int error = 0; // QKeychain::Error
        QString message;
        QString text;
    };
    // Runs one job on this object's thread and waits for it (from any thread).
    Outcome run(Op op, const QString &text = {});
    void startJob(Op op, const QString &text, std::function<void(Outcome)> done);
    void fallBack(const QString &why);

    QString m_dataDir;
    QString m_key;
    sync::FileTokenStore m_file;
    std::atomic<bool> m_fellBack{false};
    std::atomic<int> m_timeoutMs{5000};
};

} // namespace colophon
