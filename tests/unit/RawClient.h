#pragma once

// A plain TCP client for exercising the HTTP edge byte by byte: partial requests, idle
// sockets, malformed framing. Loopback only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace sipbridge::api::test {

class RawClient {
 public:
  /// Connects to 127.0.0.1:port from `source` (a 127.x.y.z address).
  explicit RawClient(int port, const std::string& source = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
      throw std::runtime_error("bind failed");
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// False when the server has closed (or reset) the connection.
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  /// What arrives within `wait`, stopping early at the end of the stream; `closed` tells
  /// whether the server closed it.
  std::string receive(std::chrono::milliseconds wait, bool* closed = nullptr) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    if (closed) *closed = false;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
      char buffer[8192];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        return out;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  /// Reads until the answer's header and Content-Length body are in (or `wait` passes).
  std::string receiveAnswer(std::chrono::milliseconds wait = std::chrono::milliseconds(5000)) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      bool closed = false;
      out += receive(std::chrono::milliseconds(50), &closed);
      const auto end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = out.find("Content-Length: ");
        const std::size_t length = cl == std::string::npos ? 0 : std::stoul(out.substr(cl + 16));
        if (out.size() >= end + 4 + length) return out;
      }
      if (closed) return out;
    }
    return out;
  }

  /// True when the server closes the connection within `wait` (data before it is dropped).
  bool closedWithin(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      bool closed = false;
      receive(std::chrono::milliseconds(50), &closed);
      if (closed) return true;
    }
    return false;
  }

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

/// The status code of a raw HTTP answer ("HTTP/1.1 400 ..."), 0 if none.
inline int statusOf(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}

}  // namespace sipbridge::api::test
