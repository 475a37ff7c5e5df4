#include "sipbridge/store/Pg.h"

#include "sipbridge/store/StoreError.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cstdlib>

namespace sipbridge::store {

namespace {

/// SQLSTATE classes meaning "the server is not there for us": connection exceptions (08),
/// operator intervention such as shutdown (57P01..57P03), too many connections (53300).
bool isConnectivityState(const std::string& state) {
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300";
}

/// Server notices (NOTICE, WARNING) go to the debug log instead of stderr.
void logNotice(void*, const char* message) {
  Poco::Logger& logger = Poco::Logger::get("sipbridge.store.Pg");
  if (logger.debug()) logger.debug(std::string(message ? message : ""));
}

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string PgResult::text(int row, int col) const {
  if (isNull(row, col)) return {};
  return std::string(PQgetvalue(result_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
}

std::int64_t PgResult::int64(int row, int col) const {
  if (isNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(result_.get(), row, col), nullptr, 10);
}

bool PgResult::boolean(int row, int col) const {
  return !isNull(row, col) && PQgetvalue(result_.get(), row, col)[0] == 't';
}

std::int64_t PgResult::affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  return (tuples && *tuples) ? std::strtoll(tuples, nullptr, 10) : 0;
}

PgConnection::PgConnection(const std::string& conninfo) {
  // connect_timeout first: a value inside the expanded conninfo overrides it.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"2", conninfo.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keywords, values, 1));
  if (!conn_) throw StoreUnavailable("PostgreSQL: out of memory creating a connection");
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw StoreUnavailable("PostgreSQL unreachable: " + trimmed(PQerrorMessage(conn_.get())));
  PQsetNoticeProcessor(conn_.get(), logNotice, nullptr);
}

PgResult PgConnection::check(PGresult* raw, const std::string& what) {
  PgResultPtr result(raw);
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgResult(std::move(result));
  std::string state;
  if (result) {
    const char* code = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    if (code) state = code;
  }
  std::string message =
      what + ": " +
      trimmed(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_.get()));
  if (PQstatus(conn_.get()) != CONNECTION_OK || isConnectivityState(state) ||
      (state.empty() && !result))
    throw StoreUnavailable(message, state);
  throw StoreError(message, state);
}

namespace {
struct RawParams {
  std::vector<const char*> values;
  explicit RawParams(const PgParams& params) {
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  }
};
}  // namespace

PgResult PgConnection::exec(const std::string& sql, const PgParams& params) {
  if (params.empty()) return check(PQexec(conn_.get(), sql.c_str()), "query failed");
  RawParams raw(params);
  return check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                            raw.values.data(), nullptr, nullptr, 0),
               "query failed");
}

void PgConnection::prepare(const std::string& name, const std::string& sql, int paramCount) {
  check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), paramCount, nullptr), "prepare failed");
  prepared_.push_back(name);
}

PgResult PgConnection::execPrepared(const std::string& name, const PgParams& params) {
  RawParams raw(params);
  return check(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()),
                              raw.values.data(), nullptr, nullptr, 0),
               "statement " + name + " failed");
}

bool PgConnection::healthy() const {
  return PQstatus(conn_.get()) == CONNECTION_OK;
}

void PgConnection::poll() {
  // libpq sockets are non-blocking: this only reads what is already there. A failure
  // (server closed the socket) sets the status to CONNECTION_BAD, seen by healthy().
  if (PQconsumeInput(conn_.get()) == 0) return;
  while (PGnotify* notify = PQnotifies(conn_.get())) PQfreemem(notify);
}

bool PgConnection::hasPrepared(const std::string& name) const {
  return std::find(prepared_.begin(), prepared_.end(), name) != prepared_.end();
}

}  // namespace sipbridge::store
