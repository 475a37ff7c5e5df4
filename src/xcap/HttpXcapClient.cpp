#include "sipbridge/xcap/HttpXcapClient.h"

#include "sipbridge/core/Errors.h"
#include "sipbridge/xcap/XcapExchange.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

namespace sipbridge::xcap {
namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.xcap.HttpXcapClient");
}

XcapConfig validated(XcapConfig config) {
  if (config.workers < 1) throw Poco::InvalidArgumentException("xcap workers must be positive");
  if (config.queueLimit < 1)
    throw Poco::InvalidArgumentException("xcap queueLimit must be positive");
  if (config.timeoutSeconds < 1)
    throw Poco::InvalidArgumentException("xcap timeoutSeconds must be positive");
  return config;
}

/// Header values go on the wire as given: no CR, LF or other control characters.
void checkHeaderValue(const std::string& value, const std::string& field) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f)
      throw core::invalidField(field, field + " must not contain control characters");
}

}  // namespace

HttpXcapClient::HttpXcapClient(XcapConfig config, tls::TlsClient& tls)
    : config_(validated(std::move(config))), policy_(config_.roots), tls_(tls) {
  threads_.reserve(static_cast<std::size_t>(config_.workers));
  try {
    for (int i = 0; i < config_.workers; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    throw;
  }
}

HttpXcapClient::~HttpXcapClient() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void HttpXcapClient::checkUrl(const std::string& url) const {
  policy_.check(url);
}

void HttpXcapClient::execute(core::XcapRequest request,
                             std::function<void(core::XcapResponse)> done) {
  XcapTarget target = policy_.check(request.url);
  if (request.method != "GET" && request.method != "PUT" && request.method != "DELETE")
    throw core::invalidField("method", "XCAP method must be GET, PUT or DELETE");
  if (request.method != "PUT" && !request.body.empty())
    throw core::invalidField("body", "only an XCAP PUT carries a body");
  checkHeaderValue(request.contentType, "contentType");
  checkHeaderValue(request.ifMatch, "ifMatch");
  checkHeaderValue(request.ifNoneMatch, "ifNoneMatch");
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw core::Unavailable("the XCAP client is stopping");
    if (queue_.size() >= config_.queueLimit)
      throw core::Unavailable("too many XCAP requests are waiting; retry later");
    queue_.push_back(Job{std::move(request), std::move(target), std::move(done)});
  }
  wake_.notify_one();
}

void HttpXcapClient::work() {
  const ExchangeLimits limits{config_.timeoutSeconds, config_.maxResponseBytes};
  while (true) {
    Job job;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      stopping = stopping_;
    }
    if (stopping) {
      core::XcapResponse stopped;
      stopped.error = "XCAP client stopped";
      finish(job, std::move(stopped));
    } else {
      finish(job, exchange(job.target, job.request, limits, tls_));
    }
  }
}

void HttpXcapClient::finish(Job& job, core::XcapResponse response) const {
  if (!job.done) return;
  try {
    job.done(std::move(response));
  } catch (const Poco::Exception& e) {
    logger().error("XCAP completion for %s failed: %s", job.request.url, e.displayText());
  } catch (const std::exception& e) {
    logger().error("XCAP completion for %s failed: %s", job.request.url, std::string(e.what()));
  } catch (...) {
    logger().error("XCAP completion for %s failed with an unknown exception", job.request.url);
  }
}

}  // namespace sipbridge::xcap
