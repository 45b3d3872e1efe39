// One TCP connection to a BGP peer: reads whole BGP messages off the stream (framing by the
// codec's CheckFrame), writes queued messages in order, and closes. Knows nothing of the FSM;
// its owner gets messages, write completions and errors through Handler.
// Standards: RFC 4271 §4.1 (framing), §6.1 (header errors end the stream).
//
// NOTE: Threading: lives on the core io_context; callbacks run there.
// NOTE: Ownership: shared_ptr, so in-flight completions keep it alive after Close().
// NOTE: Backpressure: reads are paused (XOFF) while the owner says it is busy; writes are
// bounded by the owner, which generates UPDATEs only while WriteQueueBytes() is low, and by the
// kernel, which holds little unsent data (TCP_NOTSENT_LOWAT).
// NOTE: Fairness: at most 64 KiB of messages reach the owner per turn of the event loop; the
// rest of a read waits for the next turn, and the socket is not read again until it is done.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bgpd/io/asio.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"

namespace evpnd::bgpd {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // A whole message, header included.
    virtual void OnMessage(Connection& c, std::span<const uint8_t> message) = 0;
    // A header that cannot be framed (RFC 4271 §6.1): the stream is lost.
    virtual void OnFramingError(Connection& c, const wire::WireError& error) = 0;
    virtual void OnClosed(Connection& c, const boost::system::error_code& ec) = 0;
    virtual void OnWritten(Connection& c) = 0;
  };

  Connection(tcp::socket socket, bool outgoing, Handler& handler);
  ~Connection();

  void Start();  // begins reading; idempotent
  // The owner lets go: no callback reaches it any more (queued writes still go out).
  void Detach() { handler_ = nullptr; }
  void Send(std::vector<uint8_t> bytes);
  // An encoded message shared by every member of an update group: queued without a copy.
  void Send(std::shared_ptr<const std::vector<uint8_t>> bytes);
  // Drops queued messages that have not started to go out (before a NOTIFICATION, so that it
  // is not stuck behind a table's worth of UPDATEs).
  void DiscardQueued();
  // Sends what is queued, then closes (used after a NOTIFICATION).
  void CloseAfterWrites();
  void Close();
  void SetMaxMessageSize(size_t size) { ctx_.max_message_size = size; }
  void PauseReading(bool paused);

  bool outgoing() const { return outgoing_; }
  bool open() const { return socket_.is_open(); }
  size_t WriteQueueBytes() const { return queued_bytes_; }
  tcp::endpoint remote() const { return remote_; }
  int native_handle() { return socket_.native_handle(); }
  tcp::endpoint local() const { return local_; }

 private:
  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void DeliverFrames();
  void WriteNext();
  void Fail(const boost::system::error_code& ec);
  // After the last write of a closing connection: half-close and read until the peer closes
  // too (or a deadline), so that unread input does not make the kernel reset the connection
  // and discard the NOTIFICATION still in flight.
  void Drain();
  void ReadDrain();

  tcp::socket socket_;
  bool outgoing_;
  Handler* handler_;
  tcp::endpoint remote_;
  tcp::endpoint local_;
  wire::CodecContext ctx_;
  std::vector<uint8_t> read_buf_;
  size_t read_len_ = 0;
  std::deque<std::shared_ptr<const std::vector<uint8_t>>> write_queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool reading_ = false;
  bool started_ = false;
  bool delivering_ = false;
  bool deliver_posted_ = false;  // frames left for a later turn
  bool paused_ = false;
  bool close_after_writes_ = false;
  bool closed_ = false;
  bool draining_ = false;
  std::unique_ptr<asio::steady_timer> drain_deadline_;
};

}  // namespace evpnd::bgpd
