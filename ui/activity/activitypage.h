// SPDX-License-Identifier: MIT
// The activity section: a filterable view of the replica's event log (who did
// what, when), newest first, which admins and editors use to answer "what
// happened to this item?". Loads older pages as the list is scrolled to its
// end, shows new events at the top as they are committed, and shows one
// event's full record (payload, stamps, trace) in a details pane.
#pragma once

#include "backend/core/error.h"
#include "backend/events/eventlog.h"
#include "ui/core/consolepage.h"

QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QDateEdit)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QTableView)
QT_FORWARD_DECLARE_CLASS(QTimer)

namespace colophon {

class ActivityModel;
class MessageBar;
class ServiceGateway;

class ActivityPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit ActivityPage(ServiceGateway &gateway, QWidget *parent = nullptr);

    void pageShown() override;
    void focusSearch() override;

    // Events per page read from the log (1..1000; default 100).
    void setPageSize(int events);
    int pageSize() const { return m_pageSize; }
    // The filters as they stand, as a query of the log (without a cursor).
    EventQuery currentQuery() const;
    ActivityModel *model() const { return m_model; }
    // Whether every event matching the filters is listed (no older page left).
    bool isComplete() const { return m_exhausted; }

public slots:
    // Shows every event of one stream ("content/<id>", "user/<id>", or a bare
    // item id), clearing the other filters: "what happened to this item?".
    // Other views call this; an empty stream shows all activity.
    void showStream(const QString &stream);
    // Reads the first page again with the current filters.
    void reload();
    // Clears every filter.
    void clearFilters();

signals:
    // A page of events arrived (first, older or newer): for tests and status.
    void eventsLoaded();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void applyAccess();
    void loadActorChoices();
    void actorTyped();
    void filtersChanged();
    void loadOlder();
    void refreshNewer();
    void maybeLoadMore();
    void showDetails();
    void updateStatus();

    ServiceGateway &m_gateway;
    ActivityModel *m_model;
    QStackedWidget *m_stack;
    QLabel *m_explanation;
    MessageBar *m_messageBar;
    QComboBox *m_kind;
    QComboBox *m_actor;
    QLineEdit *m_subject;
    QDateEdit *m_since;
    QDateEdit *m_until;
    QPushButton *m_clear;
    QTableView *m_table;
    QPlainTextEdit *m_details;
    QLabel *m_status;
    QTimer *m_subjectTimer;
    QTimer *m_refreshTimer;

    QString m_accessFor; // the actor and role the view was set up for
    EventQuery m_shown;  // the filters of the rows shown: older and newer pages use them too
    int m_pageSize = 100;
    int m_generation = 0; // bumped by every reload: answers to older ones are dropped
    bool m_loadingFirst = false;
    bool m_loadingOlder = false;
    bool m_refreshing = false;
    bool m_refreshAgain = false; // events arrived while a refresh ran
    bool m_exhausted = false;
    bool m_stale = false; // events arrived while hidden
    bool m_settingFilters = false;
};

} // namespace colophon
