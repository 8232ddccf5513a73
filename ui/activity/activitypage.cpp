// SPDX-License-Identifier: MIT
// The activity section: filters over the event log, its rows, and one
// event's full record.
#include "ui/activity/activitypage.h"

#include "backend/events/uuidv7.h"
#include "services/user/userservice.h"
#include "ui/activity/activitymodel.h"
#include "ui/activity/eventdescription.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateEdit>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace colophon {

namespace {

constexpr int kSubjectDelayMs = 350; // typing pause before the subject filter applies
constexpr int kRefreshDelayMs = 150; // bursts of committed events become one read

QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString orDash(const QString &value)
{
    return value.isEmpty() ? QStringLiteral("\u2014") : value;
}

// Everything the log recorded about the event, for the details pane.
QString detailsText(const Event &e, const ActivityModel &model)
{
    QStringList lines;
    const auto line = [&](const QString &label, const QString &value) {
        lines << QStringLiteral("%1 %2").arg(label + QLatin1Char(':'), -18).arg(value);
    };
    lines << eventDescription(e);
    lines << QString();
    line(ActivityPage::tr("Type"),
         QStringLiteral("%1 (version %2)").arg(e.type).arg(e.typeVersion));
    line(ActivityPage::tr("Who"), e.actorId.isEmpty() ? ActivityPage::tr("system")
                                                      : QStringLiteral("%1 (%2)").arg(
                                                            model.actorName(e.actorId), e.actorId));
    line(ActivityPage::tr("Subject"), model.subjectName(e.stream));
    line(ActivityPage::tr("Stream"), e.stream);
    line(ActivityPage::tr("Event id"), uuidText(e.id));
    line(ActivityPage::tr("Made at (HLC)"), isoUtc(e.hlc.physicalMs));
    line(ActivityPage::tr("HLC"), e.hlc.toString());
    line(ActivityPage::tr("Replica"), e.replicaId);
    line(ActivityPage::tr("Local sequence"), QString::number(e.localSeq));
    line(ActivityPage::tr("Server sequence"),
         e.serverSeq ? QString::number(*e.serverSeq)
                     : ActivityPage::tr("\u2014 (not yet on the server)"));
    line(ActivityPage::tr("Recorded here at"), isoUtc(e.recordedAtMs));
    line(ActivityPage::tr("Traceparent"), orDash(e.traceparent));
    lines << QString();
    lines << ActivityPage::tr("Payload:");
    lines << QString::fromStdString(
        e.payload.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return lines.join(QLatin1Char('\n'));
}

} // namespace

ActivityPage::ActivityPage(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_model(new ActivityModel(gateway, this)),
      m_stack(new QStackedWidget(this)), m_explanation(new QLabel), m_messageBar(new MessageBar),
      m_kind(new QComboBox), m_actor(new QComboBox), m_subject(new QLineEdit),
      m_since(new QDateEdit), m_until(new QDateEdit),
      m_clear(new QPushButton(tr("C&lear Filters"))), m_table(new QTableView),
      m_details(new QPlainTextEdit), m_status(new QLabel), m_subjectTimer(new QTimer(this)),
      m_refreshTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("activityPage"));
    setAccessibleName(tr("Activity"));

    // For roles without the log: a plain explanation in place of the view.
    auto *explanationPage = new QWidget;
    m_explanation->setObjectName(QStringLiteral("activityExplanation"));
    m_explanation->setWordWrap(true);
    m_explanation->setAlignment(Qt::AlignCenter);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *explanationLayout = new QVBoxLayout(explanationPage);
    explanationLayout->addStretch(1);
    explanationLayout->addWidget(m_explanation);
    explanationLayout->addStretch(2);

    // Filters.
    m_kind->setObjectName(QStringLiteral("kindFilter"));
    m_kind->setAccessibleName(tr("Kind of activity"));
    m_kind->setToolTip(tr("Show only changes to content, to categories, or to accounts and "
                          "sign-ins"));
    m_kind->addItem(tr("All activity"), QString());
    m_kind->addItem(tr("Content"), QStringLiteral("content/"));
    m_kind->addItem(tr("Categories"), QStringLiteral("category/"));
    m_kind->addItem(tr("Users & sign-ins"), QStringLiteral("user/"));

    m_actor->setObjectName(QStringLiteral("actorFilter"));
    m_actor->setAccessibleName(tr("Who did it"));
    m_actor->setToolTip(tr("Show only what one person did"));
    m_actor->setInsertPolicy(QComboBox::NoInsert);
    m_actor->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_actor->setMinimumContentsLength(16);

    m_subject->setObjectName(QStringLiteral("subjectFilter"));
    m_subject->setAccessibleName(tr("Subject"));
    m_subject->setPlaceholderText(tr("Item id, or a stream such as user/<id>"));
    m_subject->setToolTip(tr("Show only what happened to one item (its id) or one stream "
                             "(content/…, category/…, user/…)"));
    m_subject->setClearButtonEnabled(true);

    auto *sinceOn = new QCheckBox(tr("&From"));
    sinceOn->setObjectName(QStringLiteral("sinceEnabled"));
    sinceOn->setAccessibleName(tr("Limit to changes from a day on"));
    sinceOn->setToolTip(tr("Show only changes made on or after the day"));
    auto *untilOn = new QCheckBox(tr("&To"));
    untilOn->setObjectName(QStringLiteral("untilEnabled"));
    untilOn->setAccessibleName(tr("Limit to changes up to a day"));
    untilOn->setToolTip(tr("Show only changes made on or before the day"));
    const QDate today = QDate::currentDate();
    for (auto [edit, name, accessible, day, box] :
         {std::tuple{m_since, "sinceFilter", tr("First day"), today.addDays(-7), sinceOn},
          std::tuple{m_until, "untilFilter", tr("Last day"), today, untilOn}}) {
        edit->setObjectName(QLatin1String(name));
        edit->setAccessibleName(accessible);
        edit->setToolTip(tr("Days are in local time; turn the box on to use the day"));
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat));
        edit->setDate(day);
        edit->setEnabled(false);
        connect(box, &QCheckBox::toggled, edit, &QWidget::setEnabled);
        connect(box, &QCheckBox::toggled, this, &ActivityPage::filtersChanged);
        connect(edit, &QDateEdit::dateChanged, this, [this, box = box] {
            if (box->isChecked()) {
                filtersChanged();
            }
        });
    }

    m_clear->setObjectName(QStringLiteral("clearFilters"));
    m_clear->setAccessibleName(tr("Clear filters"));
    m_clear->setToolTip(tr("Show all activity again"));
    m_clear->setEnabled(false);

    auto *kindLabel = new QLabel(tr("&Kind:"));
    kindLabel->setBuddy(m_kind);
    auto *actorLabel = new QLabel(tr("&Who:"));
    actorLabel->setBuddy(m_actor);
    auto *subjectLabel = new QLabel(tr("&Subject:"));
    subjectLabel->setBuddy(m_subject);

    auto *filters = new QGridLayout;
    filters->addWidget(kindLabel, 0, 0);
    filters->addWidget(m_kind, 0, 1);
    filters->addWidget(actorLabel, 0, 2);
    filters->addWidget(m_actor, 0, 3);
    filters->addWidget(subjectLabel, 0, 4);
    filters->addWidget(m_subject, 0, 5, 1, 3);
    filters->addWidget(sinceOn, 1, 0);
    filters->addWidget(m_since, 1, 1);
    filters->addWidget(untilOn, 1, 2);
    filters->addWidget(m_until, 1, 3);
    filters->addWidget(m_clear, 1, 7, Qt::AlignRight);
    filters->setColumnStretch(5, 1);

    // The rows.
    m_table->setObjectName(QStringLiteral("activityTable"));
    m_table->setAccessibleName(tr("Activity, newest first"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTabKeyNavigation(false);
    m_table->setSortingEnabled(false);
    m_table->installEventFilter(this);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ActivityModel::WhatColumn, QHeaderView::Stretch);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('M'));
    // Wide enough for the longest local date and time, plus the cell's margins.
    const QString widest =
        QLocale().toString(QDate(2026, 12, 28), QLocale::ShortFormat) + QStringLiteral(" 23:59:59");
    header->resizeSection(ActivityModel::WhenColumn,
                          fontMetrics().horizontalAdvance(widest) + 2 * em);
    header->resizeSection(ActivityModel::WhoColumn, 9 * em);
    header->resizeSection(ActivityModel::SubjectColumn, 14 * em);

    // One event's whole record.
    m_details->setObjectName(QStringLiteral("eventDetails"));
    m_details->setAccessibleName(tr("Event details"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(
        tr("Select an event to see everything the log recorded about it."));
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *detailsLabel = new QLabel(tr("Event &details:"));
    detailsLabel->setBuddy(m_details);
    auto *detailsPane = new QWidget;
    auto *detailsLayout = new QVBoxLayout(detailsPane);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(detailsLabel);
    detailsLayout->addWidget(m_details);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(detailsPane);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    m_status->setObjectName(QStringLiteral("activityStatus"));
    m_status->setAccessibleName(tr("Activity status"));

    auto *mainPage = new QWidget;
    auto *mainLayout = new QVBoxLayout(mainPage);
    mainLayout->setContentsMargins(0, 0, 0, 0);
    mainLayout->addLayout(filters);
    mainLayout->addWidget(m_messageBar);
    mainLayout->addWidget(splitter, 1);
    mainLayout->addWidget(m_status);

    m_stack->addWidget(explanationPage);
    m_stack->addWidget(mainPage);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_stack);

    setTabOrder(m_kind, m_actor);
    setTabOrder(m_actor, m_subject);
    setTabOrder(m_subject, sinceOn);
    setTabOrder(sinceOn, m_since);
    setTabOrder(m_since, untilOn);
    setTabOrder(untilOn, m_until);
    setTabOrder(m_until, m_clear);
    setTabOrder(m_clear, m_table);
    setTabOrder(m_table, m_details);

    // Behaviour.
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ActivityPage::filtersChanged);
    connect(m_actor, &QComboBox::currentIndexChanged, this, &ActivityPage::filtersChanged);
    m_subjectTimer->setSingleShot(true);
    m_subjectTimer->setInterval(kSubjectDelayMs);
    connect(m_subject, &QLineEdit::textEdited, m_subjectTimer, qOverload<>(&QTimer::start));
    connect(m_subject, &QLineEdit::returnPressed, this, [this] {
        m_subjectTimer->stop();
        filtersChanged();
    });
    connect(m_subjectTimer, &QTimer::timeout, this, &ActivityPage::filtersChanged);
    connect(m_subject, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty() && !m_settingFilters) { // the clear button
            m_subjectTimer->stop();
            filtersChanged();
        }
    });
    connect(m_clear, &QPushButton::clicked, this, &ActivityPage::clearFilters);

    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &ActivityPage::maybeLoadMore);
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this,
            &ActivityPage::maybeLoadMore);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ActivityPage::showDetails);
    connect(m_table, &QTableView::doubleClicked, this, [this] {
        showDetails();
        m_details->setFocus(Qt::MouseFocusReason);
    });
    // Names resolved later change what the details say.
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ActivityPage::showDetails);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(kRefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &ActivityPage::refreshNewer);
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, [this] {
        if (m_gateway.may(Action::EventLogRead) && !m_refreshTimer->isActive()) {
            m_refreshTimer->start();
        }
    });
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, &ActivityPage::applyAccess);

    applyAccess();
}

bool ActivityPage::eventFilter(QObject *watched, QEvent *event)
{
    // Rows are selected whole, so Home and End go to the first and last row
    // (a table's own Home and End move between columns).
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Home || key->key() == Qt::Key_End) &&
            key->modifiers() == Qt::NoModifier) {
            QKeyEvent moved(QEvent::KeyPress, key->key(), Qt::ControlModifier);
            QCoreApplication::sendEvent(m_table, &moved);
            return true;
        }
    }
    return ConsolePage::eventFilter(watched, event);
}

void ActivityPage::showEvent(QShowEvent *event)
{
    ConsolePage::showEvent(event);
    // Events that arrived while hidden, and a view the first page may not fill.
    QTimer::singleShot(0, this, &ActivityPage::pageShown);
}

void ActivityPage::pageShown()
{
    if (m_stale) {
        refreshNewer();
    }
    maybeLoadMore();
}

void ActivityPage::focusSearch()
{
    if (m_subject->isVisibleTo(this)) {
        m_subject->setFocus(Qt::ShortcutFocusReason);
        m_subject->selectAll();
    }
}

void ActivityPage::setPageSize(int events)
{
    m_pageSize = std::clamp(events, 1, 1000);
}

EventQuery ActivityPage::currentQuery() const
{
    EventQuery q;
    q.streamPrefix = m_kind->currentData().toString();
    if (m_actor->isEditable()) {
        // Typed text is a user id unless it is one of the choices.
        const QString typed = m_actor->currentText().trimmed();
        const int index = m_actor->findText(typed);
        q.actorId = index >= 0 ? m_actor->itemData(index).toString() : typed;
    } else {
        q.actorId = m_actor->currentData().toString();
    }
    const QString subject = m_subject->text().trimmed();
    if (!subject.isEmpty()) {
        q.stream =
            subject.contains(QLatin1Char('/')) ? subject : QStringLiteral("content/") + subject;
    }
    if (m_since->isEnabled()) {
        q.sinceMs = QDateTime(m_since->date(), QTime(0, 0)).toMSecsSinceEpoch();
    }
    if (m_until->isEnabled()) {
        q.untilMs = QDateTime(m_until->date().addDays(1), QTime(0, 0)).toMSecsSinceEpoch();
    }
    q.limit = m_pageSize;
    return q;
}

void ActivityPage::showStream(const QString &stream)
{
    m_settingFilters = true;
    m_subjectTimer->stop();
    m_kind->setCurrentIndex(0);
    m_actor->setCurrentIndex(0);
    if (m_actor->isEditable()) {
        m_actor->setEditText(m_actor->itemText(0));
    }
    for (auto *box : findChildren<QCheckBox *>()) {
        box->setChecked(false);
    }
    m_subject->setText(stream.trimmed());
    m_settingFilters = false;
    filtersChanged();
}

void ActivityPage::clearFilters()
{
    showStream(QString());
}

void ActivityPage::filtersChanged()
{
    if (m_settingFilters) {
        return;
    }
    const EventQuery q = currentQuery();
    m_clear->setEnabled(!q.streamPrefix.isEmpty() || !q.actorId.isEmpty() || !q.stream.isEmpty() ||
                        q.sinceMs > 0 || q.untilMs > 0);
    reload();
}

void ActivityPage::applyAccess()
{
    // A profile edit also says "signed in changed": only a new person or role resets the view.
    const QString accessFor = m_gateway.isSignedIn() ? m_gateway.actor().userId + QLatin1Char('/') +
                                                           roleName(m_gateway.actor().role)
                                                     : QStringLiteral("-");
    if (accessFor == m_accessFor) {
        return;
    }
    m_accessFor = accessFor;
    ++m_generation;
    m_loadingFirst = m_loadingOlder = m_refreshing = m_refreshAgain = false;
    m_model->forgetNames();
    m_model->reset({});
    m_details->clear();
    m_messageBar->clear();
    if (!m_gateway.may(Action::EventLogRead)) {
        m_explanation->setText(
            m_gateway.isSignedIn()
                ? tr("<p><b>The activity log is for editors and administrators.</b></p>"
                     "<p>It records who changed what, and when, across the whole site. "
                     "Your role (%1) does not include reading it; an administrator can look "
                     "up what happened to an item for you.</p>")
                      .arg(roleName(m_gateway.actor().role))
                : tr("Sign in as an editor or administrator to see the activity log."));
        m_stack->setCurrentIndex(0);
        return;
    }
    m_stack->setCurrentIndex(1);
    loadActorChoices();
    reload();
}

void ActivityPage::loadActorChoices()
{
    m_settingFilters = true;
    const QString me = m_gateway.actor().userId;
    const bool admin = m_gateway.may(Action::UserList);
    m_actor->clear();
    m_actor->setEditable(!admin);
    m_actor->addItem(tr("Anyone"), QString());
    m_actor->addItem(tr("Me"), me);
    if (!admin) {
        // Editors cannot list accounts: they pick "Me" or type someone's id.
        m_actor->lineEdit()->setPlaceholderText(tr("Anyone, Me, or a user id"));
        m_actor->setToolTip(tr("Show only what one person did: choose Me, or type a user id"));
        connect(m_actor->lineEdit(), &QLineEdit::editingFinished, this, &ActivityPage::actorTyped,
                Qt::UniqueConnection);
    }
    m_settingFilters = false;
    if (!admin) {
        return;
    }
    UserQuery query;
    query.limit = 500;
    query.sortField = QStringLiteral("firstName");
    query.includeDeleted = true;
    m_gateway.run(
        this,
        [users = &m_gateway.users(), actor = m_gateway.actor(), query] {
            return users->listUsers(actor, query);
        },
        [this, me](Result<UserPage> page) {
            if (!page) {
                m_messageBar->showError(page.error(), tr("Could not list people for “Who”"));
                return;
            }
            const QString chosen = m_actor->currentData().toString();
            m_settingFilters = true;
            m_actor->insertSeparator(m_actor->count());
            for (const User &user : page->items) {
                const QString name = (user.firstName + QLatin1Char(' ') + user.lastName).trimmed();
                m_actor->addItem(name.isEmpty() ? user.email
                                                : QStringLiteral("%1 — %2").arg(name, user.email),
                                 user.id);
                m_actor->setItemData(m_actor->count() - 1, user.id, Qt::ToolTipRole);
            }
            if (const int keep = m_actor->findData(chosen); keep >= 0 && !chosen.isEmpty()) {
                m_actor->setCurrentIndex(keep);
            }
            m_settingFilters = false;
        });
}

void ActivityPage::actorTyped()
{
    if (currentQuery().actorId != m_shown.actorId) {
        filtersChanged();
    }
}

void ActivityPage::reload()
{
    if (hiddenNow()) {
        return;
    }
    if (!m_gateway.may(Action::EventLogRead)) {
        return;
    }
    const int generation = ++m_generation;
    m_loadingOlder = m_refreshing = m_refreshAgain = false;
    m_exhausted = false;
    m_stale = false;
    const EventQuery q = currentQuery();
    m_shown = q;
    if (q.sinceMs > 0 && q.untilMs > 0 && q.untilMs <= q.sinceMs) {
        m_loadingFirst = false;
        m_exhausted = true;
        m_model->reset({});
        m_messageBar->showMessage(MessageBar::Kind::Warning,
                                  tr("The “To” day is before the “From” day: no change can "
                                     "fall between them."));
        updateStatus();
        emit eventsLoaded();
        return;
    }
    m_loadingFirst = true;
    updateStatus();
    m_gateway.run(
        this, [log = &m_gateway.eventLog(), q] { return log->query(q); },
        [this, generation, limit = q.limit](Result<std::vector<Event>> events) {
            if (generation != m_generation) {
                return;
            }
            m_loadingFirst = false;
            if (!events) {
                m_exhausted = true;
                m_model->reset({});
                m_messageBar->showError(events.error(), tr("Could not read the activity"));
            } else {
                m_messageBar->clear();
                m_exhausted = int(events->size()) < limit;
                m_model->reset(std::move(*events));
            }
            showDetails();
            updateStatus();
            emit eventsLoaded();
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refreshNewer();
            }
            maybeLoadMore();
        });
}

void ActivityPage::loadOlder()
{
    if (m_loadingFirst || m_loadingOlder || m_exhausted || m_model->isEmpty() ||
        !m_gateway.may(Action::EventLogRead)) {
        return;
    }
    EventQuery q = m_shown;
    q.beforeSeq = m_model->oldestSeq();
    m_loadingOlder = true;
    updateStatus();
    const int generation = m_generation;
    m_gateway.run(
        this, [log = &m_gateway.eventLog(), q] { return log->query(q); },
        [this, generation, limit = q.limit](Result<std::vector<Event>> events) {
            if (generation != m_generation) {
                return;
            }
            m_loadingOlder = false;
            if (!events) {
                m_messageBar->showError(events.error(), tr("Could not read older activity"));
                updateStatus();
                return; // scrolling to the end again tries again
            }
            m_exhausted = int(events->size()) < limit;
            m_model->appendOlder(std::move(*events));
            updateStatus();
            emit eventsLoaded();
            maybeLoadMore();
        });
}

void ActivityPage::refreshNewer()
{
    if (!m_gateway.may(Action::EventLogRead)) {
        return;
    }
    if (!isVisible()) {
        m_stale = true; // read when shown again
        return;
    }
    if (m_loadingFirst || m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_stale = false;
    m_refreshing = true;
    const EventQuery q = m_shown;
    const int generation = m_generation;
    m_gateway.run(
        this, [log = &m_gateway.eventLog(), q] { return log->query(q); },
        [this, generation, limit = q.limit](Result<std::vector<Event>> events) {
            if (generation != m_generation) {
                return;
            }
            m_refreshing = false;
            if (!events) {
                m_messageBar->showError(events.error(), tr("Could not read new activity"));
                return;
            }
            if (m_model->isEmpty()) {
                m_exhausted = int(events->size()) < limit;
                m_model->reset(std::move(*events));
            } else {
                const qint64 newest = m_model->newestSeq();
                const auto firstOld =
                    std::find_if(events->begin(), events->end(),
                                 [newest](const Event &e) { return e.localSeq <= newest; });
                if (firstOld == events->end() && int(events->size()) >= limit) {
                    reload(); // more arrived than a page: read afresh rather than leave a gap
                    return;
                }
                events->erase(firstOld, events->end());
                m_model->prependNewer(std::move(*events));
            }
            updateStatus();
            emit eventsLoaded();
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refreshNewer();
            }
        });
}

void ActivityPage::maybeLoadMore()
{
    // Only a shown list can be scrolled to its end (or fail to fill its view).
    if (!m_table->isVisible() || m_exhausted || m_loadingFirst || m_loadingOlder) {
        return;
    }
    const QScrollBar *bar = m_table->verticalScrollBar();
    if (bar->value() >= bar->maximum() - m_table->viewport()->height() / 2) {
        loadOlder();
    }
}

void ActivityPage::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || current.row() >= m_model->rowCount()) {
        m_details->clear();
        return;
    }
    const QString text = detailsText(m_model->eventAt(current.row()), *m_model);
    if (m_details->toPlainText() != text) {
        m_details->setPlainText(text);
    }
}

void ActivityPage::updateStatus()
{
    const int shown = m_model->rowCount();
    QString text;
    if (m_loadingFirst) {
        text = tr("Reading the activity…");
    } else if (shown == 0) {
        text = currentQuery().stream.isEmpty() && !m_clear->isEnabled()
                   ? tr("Nothing has happened yet.")
                   : tr("Nothing matches these filters.");
    } else {
        const QString events = shown == 1 ? tr("1 event") : tr("%1 events").arg(shown);
        if (m_exhausted) {
            text = shown == 1 ? tr("1 event.") : tr("%1, all shown.").arg(events);
        } else if (m_loadingOlder) {
            text = tr("%1 shown; reading older ones…").arg(events);
        } else {
            text = tr("%1 shown; scroll down for older ones.").arg(events);
        }
    }
    m_status->setText(text);
    m_status->setAccessibleDescription(text);
}

} // namespace colophon
