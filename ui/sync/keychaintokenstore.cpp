// SPDX-License-Identifier: MIT
#include "ui/sync/keychaintokenstore.h"

#include <QDir>
#include <QEventLoop>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <future>
#include <qt6keychain/keychain.h>

namespace colophon {

KeychainTokenStore::KeychainTokenStore(const QString &dataDir, QObject *parent)
    : QObject(parent), m_dataDir(dataDir),
      m_key(QStringLiteral("sync refresh token ") + QDir(dataDir).absolutePath()), m_file(dataDir)
{
}

QString KeychainTokenStore::warning() const
{
    return m_fellBack ? tr("No keychain service: the sign-in token is kept in a file only you "
                           "can read: %1")
                            .arg(QDir::toNativeSeparators(filePath()))
                      : QString();
}

void KeychainTokenStore::startJob(Op op, const QString &text, std::function<void(Outcome)> done)
{
    QKeychain::Job *job = nullptr;
    switch (op) {
    case Op::Read:
        job = new QKeychain::ReadPasswordJob(kService);
        break;
    case Op::Write: {
        auto *write = new QKeychain::WritePasswordJob(kService);
        write->setTextData(text);
        job = write;
        break;
    }
    case Op::Delete:
        job = new QKeychain::DeletePasswordJob(kService);
        break;
    }
    job->setKey(m_key);
    job->setAutoDelete(true);
    // Never QtKeychain's own plain-text fallback: ours is the 0600 file, and visible.
    job->setInsecureFallback(false);
    QObject::connect(job, &QKeychain::Job::finished, job, [done](QKeychain::Job *finished) {
        Outcome outcome{finished->error(), finished->errorString(), {}};
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished)) {
            outcome.text = read->textData();
        }
        done(outcome);
    });
    job->start();
}

KeychainTokenStore::Outcome KeychainTokenStore::run(Op op, const QString &text)
{
    const int timeoutMs = m_timeoutMs;
    const Outcome timedOut{QKeychain::OtherError, tr("the keychain did not answer in time"), {}};
    if (QThread::currentThread() == thread()) {
        // A job needs this thread's event loop: wait in a local one.
        QEventLoop loop;
        auto result = std::make_shared<std::optional<Outcome>>();
        startJob(op, text, [result, waiting = QPointer<QEventLoop>(&loop)](Outcome o) {
            *result = std::move(o);
            if (waiting) {
                waiting->quit();
            }
        });
        if (!result->has_value()) {
            QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
            loop.exec(QEventLoop::ExcludeUserInputEvents);
        }
        return result->value_or(timedOut);
    }
    auto promise = std::make_shared<std::promise<Outcome>>();
    auto future = promise->get_future();
    QMetaObject::invokeMethod(
        this,
        [this, op, text, promise] {
            startJob(op, text, [promise](Outcome o) { promise->set_value(std::move(o)); });
        },
        Qt::QueuedConnection);
    if (future.wait_for(std::chrono::milliseconds(timeoutMs)) != std::future_status::ready) {
        return timedOut;
    }
    try {
        return future.get();
    } catch (const std::future_error &) {
        return timedOut; // the store went away before the job started
    }
}

void KeychainTokenStore::fallBack(const QString &why)
{
    if (!m_fellBack.exchange(true)) {
        emit fellBackToFile(filePath(), why);
    }
}

Result<QString> KeychainTokenStore::load()
{
    // The file first: it holds a token only when the newest save went there.
    if (auto inFile = m_file.load(); inFile) {
        if (!m_fellBack) {
            // Move it to the keychain if one answers now.
            const Outcome moved = run(Op::Write, *inFile);
            if (moved.error == QKeychain::NoError) {
                (void)m_file.erase();
            } else {
                fallBack(moved.message);
            }
        }
        return *inFile;
    } else if (inFile.error().code != ErrorCode::NotFound) {
        return fail(inFile.error());
    }
    if (m_fellBack) {
        return fail(Error::notFound(tr("no sign-in token is kept for this replica")));
    }
    const Outcome read = run(Op::Read);
    if (read.error == QKeychain::NoError && !read.text.isEmpty()) {
        return read.text;
    }
    if (read.error != QKeychain::EntryNotFound && read.error != QKeychain::NoError) {
        fallBack(read.message);
    }
    return fail(Error::notFound(tr("no sign-in token is kept for this replica")));
}

Result<void> KeychainTokenStore::save(const QString &refreshToken)
{
    if (!sync::Remote::isPaired(m_dataDir)) {
        return fail(Error::notFound(tr("this replica is no longer paired with a server")));
    }
    if (!m_fellBack) {
        const Outcome written = run(Op::Write, refreshToken);
        if (written.error == QKeychain::NoError) {
            return m_file.erase();
        }
        fallBack(written.message);
    }
    return m_file.save(refreshToken);
}

Result<void> KeychainTokenStore::erase()
{
    // Also after a fallback: an earlier session may have left one there.
    (void)run(Op::Delete);
    return m_file.erase();
}

} // namespace colophon
