// SPDX-License-Identifier: MIT
#include "app/console/consoleshots.h"

#include "app/console/consoleapp.h"
#include "app/host/democontent.h"
#include "backend/auth/recoverycodes.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "ui/content/contentlistmodel.h"
#include "ui/content/contentlistpage.h"
#include "ui/core/servicegateway.h"
#include "ui/editor/contenteditor.h"
#include "ui/shell/contentsection.h"
#include "ui/shell/mainwindow.h"
#include "ui/shell/signindialog.h"
#include "ui/shell/theme.h"
#include "ui/sync/connectdialog.h"
#include "ui/sync/syncpanel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>

namespace colophon {

namespace {

// Lets timers (debounces, coalescing) fire and the gateway deliver.
void settle(ServiceGateway &gateway, int ms = 400)
{
    QElapsedTimer clock;
    clock.start();
    do {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
        gateway.waitForIdle(5000);
    } while (clock.elapsed() < ms);
}

bool save(QWidget *widget, const QString &dir, const QString &name)
{
    const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
    if (!widget->grab().save(path)) {
        std::fprintf(stderr, "colophon: cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

// Demo accounts and content for an empty replica; the admin signs in with a
// real session (so "My account" lists one).
Result<SignInOutcome> seedDemo(ServiceGateway &gateway)
{
    UserService &users = gateway.users();
    const QString password = randomToken(18);
    struct Person
    {
        const char *email, *first, *last;
        Role role;
    };
    const Person people[] = {{"ada@colophon.local", "Ada", "Lovelace", Role::Admin},
                             {"grace@colophon.local", "Grace", "Hopper", Role::Editor},
                             {"katherine@colophon.local", "Katherine", "Johnson", Role::Creator},
                             {"alan@colophon.local", "Alan", "Turing", Role::Creator},
                             {"reader@colophon.local", "Rosalind", "Franklin", Role::Consumer}};
    for (const Person &p : people) {
        auto made = users.createUser(Actor::system(),
                                     {QLatin1String(p.email), password, QLatin1String(p.first),
                                      QLatin1String(p.last), p.role});
        if (!made) {
            return fail(made.error());
        }
    }
    auto admin = signInWork(users, QStringLiteral("ada@colophon.local"), password);
    if (!admin) {
        return admin;
    }
    if (auto seeded = seedDemoContent(gateway.content(), admin->actor); !seeded) {
        return fail(seeded.error());
    }
    // A draft by a creator, so lists show more than one author.
    if (auto creator = users.localActor(QStringLiteral("katherine@colophon.local"))) {
        ContentDraft draft;
        draft.title = QStringLiteral("Field notes: a week without Wi-Fi");
        draft.description = QStringLiteral("Drafted on a train, synced at the station.");
        draft.body = QStringLiteral("# Field notes\n\nMonday: *no signal*, plenty of time.\n\n> "
                                    "Write first, sync later.\n\n"
                                    "```\ncolophonctl sync\n```\n");
        draft.tags = {QStringLiteral("offline"), QStringLiteral("travel")};
        (void)gateway.content().create(*creator, draft);
    }
    return admin;
}

Result<void> actAs(ServiceGateway &gateway, const QString &email)
{
    auto actor = gateway.users().localActor(email);
    if (!actor) {
        return fail(actor.error());
    }
    auto user = gateway.users().me(*actor);
    if (!user) {
        return fail(user.error());
    }
    gateway.setSignedIn(*user, *actor);
    return {};
}

qint64 peakRssKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

// Records when the view's viewport next paints, once armed.
class PaintWatch final : public QObject
{
public:
    explicit PaintWatch(QWidget *viewport) { viewport->installEventFilter(this); }
    void arm() { m_paintedAt = -1, m_armed = true; }
    qint64 paintedAt() const { return m_paintedAt; }
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (m_armed && event->type() == QEvent::Paint) {
            m_paintedAt = msSinceProcessStart();
            m_armed = false;
        }
        return QObject::eventFilter(watched, event);
    }

private:
    qint64 m_paintedAt = -1;
    bool m_armed = false;
};

// The longest time the UI thread's event loop did not turn: a 5 ms timer
// that notes how late each tick comes.
class StallMonitor final : public QObject
{
public:
    StallMonitor()
    {
        m_clock.start();
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.elapsed();
            m_max = std::max(m_max, now - m_last - 5);
            m_last = now;
        });
        m_timer.start();
    }
    qint64 maxStallMs() const { return m_max; }
    void reset() { m_max = 0; }

private:
    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_last = 0;
    qint64 m_max = 0;
};

} // namespace

int renderScreenshots(ServiceGateway &gateway, SyncController &sync, const QString &settingsFile,
                      const QString &outDir, const QString &asEmail)
{
    if (!QDir().mkpath(outDir)) {
        std::fprintf(stderr, "colophon: cannot create %s\n", qPrintable(outDir));
        return 1;
    }
    UserQuery any;
    any.limit = 1;
    auto accounts = gateway.users().listUsers(Actor::system(), any);
    if (!accounts) {
        std::fprintf(stderr, "colophon: %s\n", qPrintable(accounts.error().message));
        return 1;
    }
    bool ok = true;
    if (accounts->total == 0) {
        {
            WelcomeDialog welcome(gateway);
            welcome.show();
            settle(gateway, 200);
            ok = save(&welcome, outDir, QStringLiteral("welcome")) && ok;
        }
        auto admin = seedDemo(gateway);
        if (!admin) {
            std::fprintf(stderr, "colophon: demo content: %s\n", qPrintable(admin.error().message));
            return 1;
        }
        gateway.setSignedIn(admin->user, admin->actor);
    } else if (asEmail.isEmpty()) {
        std::fprintf(stderr, "colophon: the replica has accounts: say whom to show with --as\n");
        return 2;
    } else if (auto acted = actAs(gateway, asEmail); !acted) {
        std::fprintf(stderr, "colophon: --as %s: %s\n", qPrintable(asEmail),
                     qPrintable(acted.error().message));
        return 2;
    }
    {
        SignInDialog signIn(gateway);
        signIn.setEmail(gateway.user().email);
        signIn.show();
        settle(gateway, 200);
        ok = save(&signIn, outDir, QStringLiteral("signin")) && ok;
    }

    MainWindow window(gateway, settingsFile, sync);
    window.resize(1280, 800);
    window.setTheme(ThemeMode::Light);
    window.show();
    settle(gateway, 600);
    for (const QString &section : window.sections()) {
        window.showSection(section);
        settle(gateway, 700);
        // A selected row shows the page's details (users, activity).
        static const QHash<QString, QString> tables{
            {QStringLiteral("users"), QStringLiteral("usersTable")},
            {QStringLiteral("activity"), QStringLiteral("activityTable")}};
        if (auto *table = window.page(section)->findChild<QAbstractItemView *>(
                tables.value(section, QStringLiteral("-")))) {
            if (table->model() && table->model()->rowCount() > 1) {
                table->setCurrentIndex(table->model()->index(1, 0));
                settle(gateway, 500);
            }
        }
        ok = save(&window, outDir, section) && ok;
    }

    // Connecting to a server, as the Sync section's button opens it.
    if (auto *panel = qobject_cast<SyncPanel *>(window.page(QStringLiteral("sync")))) {
        window.showSection(QStringLiteral("sync"));
        ConnectDialog *dialog = panel->openConnectDialog();
        dialog->setServer(QStringLiteral("https://colophon.example.org"));
        settle(gateway, 300);
        ok = save(dialog, outDir, QStringLiteral("connect")) && ok;
        dialog->reject();
        settle(gateway, 100);
    }

    // An article open in the editor, beside its preview.
    window.showSection(QStringLiteral("content"));
    ContentQuery query;
    query.limit = 1;
    query.status = ContentStatus::Published;
    if (auto page = gateway.content().list(gateway.actor(), query); page && !page->items.empty()) {
        window.contentSection()->openItem(page->items.front().id);
        settle(gateway, 900);
        ok = save(&window, outDir, QStringLiteral("editor")) && ok;
        window.contentSection()->tabs()->setCurrentIndex(0);
    }
    window.setTheme(ThemeMode::Dark);
    settle(gateway, 500);
    ok = save(&window, outDir, QStringLiteral("content-dark")) && ok;
    window.setTheme(ThemeMode::System);
    window.close();
    return ok ? 0 : 1;
}

int probeStartup(ServiceGateway &gateway, const QString &settingsFile, const QString &asEmail)
{
    if (auto acted = actAs(gateway, asEmail); !acted) {
        std::fprintf(stderr, "colophon: --as %s: %s\n", qPrintable(asEmail),
                     qPrintable(acted.error().message));
        return 2;
    }
    StallMonitor stalls;
    MainWindow window(gateway, settingsFile);
    window.resize(1280, 800);
    window.showSection(QStringLiteral("content"));
    ContentListPage *list = window.contentSection()->list();
    ContentListModel *model = list->model();
    PaintWatch watch(list->view()->viewport());
    bool loaded = false;
    QObject::connect(model, &ContentListModel::loaded, &window, [&] {
        loaded = true;
        watch.arm();
        list->view()->viewport()->update();
    });
    window.show();
    QElapsedTimer timeout;
    timeout.start();
    while ((!loaded || watch.paintedAt() < 0) && timeout.elapsed() < 60000) {
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    }
    const qint64 firstPaint = watch.paintedAt();
    // Building and first showing the window is one long turn; what follows
    // is what a person interacting would feel.
    const qint64 startupStallMs = stalls.maxStallMs();
    stalls.reset();
    const qint64 rows = model->rowCount();

    // A filter: published items only, as a person picks it from the bar.
    auto *status = list->findChild<QComboBox *>(QStringLiteral("statusFilter"));
    qint64 filterMs = -1;
    if (status) {
        loaded = false;
        const int published = status->findData(QStringLiteral("published"));
        const qint64 from = msSinceProcessStart();
        status->setCurrentIndex(published >= 0 ? published : status->count() - 1);
        timeout.restart();
        while ((!loaded || watch.paintedAt() < 0) && timeout.elapsed() < 60000) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        }
        filterMs = watch.paintedAt() < 0 ? -1 : watch.paintedAt() - from;
    }
    const qint64 filteredRows = model->rowCount();

    // Scrolling: back to every item, then jumps through the list as a
    // dragged scroll bar makes them; each jump is timed until the rows in
    // view are loaded and painted.
    if (status) {
        loaded = false;
        status->setCurrentIndex(0);
        timeout.restart();
        while (!loaded && timeout.elapsed() < 60000) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        }
    }
    QTableView *view = list->view();
    std::vector<qint64> jumps;
    for (int step = 1; step <= 10; ++step) {
        const int row = int(qint64(model->rowCount() - 1) * step / 10);
        const qint64 from = msSinceProcessStart();
        view->scrollTo(model->index(row, 0), QAbstractItemView::PositionAtCenter);
        watch.arm();
        timeout.restart();
        while ((!model->index(row, 0).data(ContentListModel::LoadedRole).toBool() ||
                watch.paintedAt() < 0) &&
               timeout.elapsed() < 10000) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
            if (watch.paintedAt() >= 0 &&
                !model->index(row, 0).data(ContentListModel::LoadedRole).toBool()) {
                watch.arm(); // painted placeholders: wait for the rows themselves
            }
        }
        jumps.push_back(watch.paintedAt() < 0 ? -1 : watch.paintedAt() - from);
    }
    std::sort(jumps.begin(), jumps.end());
    // The wall-clock time of the first paint, for a caller that timed the spawn.
    const qint64 firstPaintEpochMs =
        QDateTime::currentMSecsSinceEpoch() - (msSinceProcessStart() - firstPaint);
    const QJsonObject result{{QStringLiteral("firstPaintMs"), firstPaint},
                             {QStringLiteral("firstPaintEpochMs"), firstPaintEpochMs},
                             {QStringLiteral("filterMs"), filterMs},
                             {QStringLiteral("rows"), rows},
                             {QStringLiteral("filteredRows"), filteredRows},
                             {QStringLiteral("scrollJumpMedianMs"), jumps[jumps.size() / 2]},
                             {QStringLiteral("scrollJumpMaxMs"), jumps.back()},
                             {QStringLiteral("startupStallMs"), startupStallMs},
                             {QStringLiteral("maxStallMs"), stalls.maxStallMs()},
                             {QStringLiteral("peakRssKiB"), peakRssKiB()}};
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    window.close();
    return firstPaint >= 0 ? 0 : 1;
}

} // namespace colophon
