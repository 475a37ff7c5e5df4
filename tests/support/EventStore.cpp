#include "EventStore.h"

#include <future>
#include <memory>
#include <stdexcept>

namespace sipbridge::test {

EventStore::EventStore(const std::string& name, int connections)
    : db(name, connections), writer(db.config, writerMetrics) {
  writer.start();
}

std::string EventStore::sql(const std::string& statement) const {
  std::string out = db.sql(statement);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

core::Event messageEvent(const std::string& appKey, const std::string& sessionId,
                         const std::string& nodeId, std::int64_t seq) {
  core::Event e;
  e.eventId = core::newUuid();
  e.type = "OnMessageEvent";
  e.nodeId = nodeId;
  e.sessionId = sessionId;
  e.appKey = appKey;
  e.seq = seq;
  e.timestampMs = core::nowMs();
  return e;
}

std::future<bool> append(store::EventWriter& writer, core::Event event) {
  auto promise = std::make_shared<std::promise<bool>>();
  auto committed = promise->get_future();
  writer.append(std::move(event), [promise](bool ok) { promise->set_value(ok); });
  return committed;
}

void commitMessages(store::EventWriter& writer, const std::vector<std::string>& apps, int perApp) {
  std::vector<std::future<bool>> done;
  for (int i = 0; i < perApp; ++i) {
    for (const auto& app : apps) {
      core::Event e = messageEvent(app, app + "-s", "bench", i + 1);
      e.fields["id"] = "m" + std::to_string(i);
      e.fields["body"] = std::string("Hello, Bob, see you at 10");
      done.push_back(append(writer, std::move(e)));
    }
  }
  for (auto& f : done)
    if (!f.get()) throw std::runtime_error("event not committed");
}

}  // namespace sipbridge::test
