#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sipbridge::store {

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

/// Bound parameters in text format; std::nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

/// The owned result of a successful statement. Cell accessors take row and column indexes.
class PgResult {
 public:
  explicit PgResult(PgResultPtr result) : result_(std::move(result)) {}
  int rows() const { return PQntuples(result_.get()); }
  bool isNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  /// The cell as text ("" when NULL).
  std::string text(int row, int col) const;
  /// The cell as an integer (0 when NULL).
  std::int64_t int64(int row, int col) const;
  /// "t" / "f" booleans (false when NULL).
  bool boolean(int row, int col) const;
  /// Rows touched by INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  PgResultPtr result_;
};

/// One libpq connection. Not thread-safe: used by one thread at a time (a pool lease or
/// the event writer's own thread).
class PgConnection {
 public:
  /// Connects with `conninfo` (key=value or URI). A connect_timeout of 2 s applies unless
  /// the conninfo sets its own. Throws StoreUnavailable when the server cannot be reached.
  explicit PgConnection(const std::string& conninfo);

  /// Runs `sql` with text parameters. Throws StoreUnavailable when the connection is lost,
  /// StoreError for any other failure. Without parameters, several statements may be sent
  /// at once (simple query protocol).
  PgResult exec(const std::string& sql, const PgParams& params = {});
  /// Prepares `sql` under `name` on this connection (once per connection).
  void prepare(const std::string& name, const std::string& sql, int paramCount);
  /// Runs a statement prepared on this connection.
  PgResult execPrepared(const std::string& name, const PgParams& params);

  /// False once the connection is known to be broken (it must then be discarded).
  bool healthy() const;
  /// True while a transaction is open or failed (a lease returned so is discarded).
  bool idleInTransaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }
  /// Reads whatever the server sent while idle, so a server-side close is noticed.
  void poll();
  bool hasPrepared(const std::string& name) const;

 private:
  PgResult check(PGresult* raw, const std::string& what);

  PgConnPtr conn_;
  std::vector<std::string> prepared_;
};

}  // namespace sipbridge::store
