// See connection.h.
#include "bgpd/io/connection.h"

#include "bgpd/io/log.h"
#include "bgpd/io/socket_options.h"
#include "bgpd/wire/message.h"

namespace evpnd::bgpd {
namespace {
// Room for several maximum-size messages per read: fewer system calls under a full-table load.
constexpr size_t kReadChunk = 256 * 1024;
// Bytes of messages handed to the owner per turn of the event loop. A full read chunk of a
// table transfer is some 7,000 routes, several milliseconds of work; in slices of this size the
// other sessions (a single MAC move among them) are read and served in between.
constexpr size_t kDeliverPerTurn = 64 * 1024;
// Unsent bytes the kernel may hold for the socket (TCP_NOTSENT_LOWAT): the rest waits in our
// queue, which the owner keeps short, so a fresh UPDATE is not queued behind megabytes of a
// table transfer in the socket buffer.
constexpr int kNotSentLowat = 16 * 1024;
}  // namespace

Connection::Connection(tcp::socket socket, bool outgoing, Handler& handler)
    : socket_(std::move(socket)), outgoing_(outgoing), handler_(&handler) {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
  local_ = socket_.local_endpoint(ec);
  socket_.set_option(tcp::no_delay(true), ec);
  // Best effort: without it the connection works, only with deeper queues.
  if (absl::Status s = SetNotSentLowat(socket_.native_handle(), kNotSentLowat); !s.ok()) {
    spdlog::debug("connection: {}", s.message());
  }
  read_buf_.resize(kReadChunk);
}

Connection::~Connection() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void Connection::Start() {
  if (started_) return;
  started_ = true;
  ReadMore();
}

void Connection::ReadMore() {
  // No read while frames are being delivered or wait for their turn: the buffer is compacted
  // as they go.
  if (!started_ || reading_ || paused_ || closed_ || delivering_ || deliver_posted_) return;
  if (read_buf_.size() - read_len_ < wire::kMaxExtendedMessageSize) {
    read_buf_.resize(read_len_ + kReadChunk);
  }
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(read_buf_.data() + read_len_, read_buf_.size() - read_len_),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        self->OnRead(ec, n);
      });
}

void Connection::OnRead(const boost::system::error_code& ec, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (draining_) {  // what arrives now is discarded; EOF or an error ends the drain
    ec ? Close() : ReadDrain();
    return;
  }
  if (ec) {
    Fail(ec);
    return;
  }
  read_len_ += n;
  DeliverFrames();
  ReadMore();
}

void Connection::DeliverFrames() {
  size_t pos = 0;
  bool more = false;
  delivering_ = true;
  while (!closed_ && !paused_ && handler_ != nullptr) {
    if (pos >= kDeliverPerTurn) {
      more = true;
      break;
    }
    std::span<const uint8_t> rest(read_buf_.data() + pos, read_len_ - pos);
    wire::FrameCheck frame = wire::CheckFrame(rest, ctx_);
    if (frame.error) {
      delivering_ = false;
      handler_->OnFramingError(*this, *frame.error);
      return;
    }
    if (frame.length == 0 || frame.length > rest.size()) break;
    handler_->OnMessage(*this, rest.first(frame.length));
    pos += frame.length;
  }
  delivering_ = false;
  if (pos > 0) {
    std::copy(read_buf_.begin() + pos, read_buf_.begin() + read_len_, read_buf_.begin());
    read_len_ -= pos;
  }
  // The rest in a later turn, after what else is ready; no read until it is delivered.
  if (more && !deliver_posted_) {
    deliver_posted_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->deliver_posted_ = false;
      if (self->closed_ || self->draining_) return;
      self->DeliverFrames();
      self->ReadMore();
    });
  }
}

void Connection::PauseReading(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  if (!paused_) {
    DeliverFrames();
    ReadMore();
  }
}

void Connection::Send(std::vector<uint8_t> bytes) {
  Send(std::make_shared<const std::vector<uint8_t>>(std::move(bytes)));
}

void Connection::Send(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  if (closed_ || !bytes) return;
  queued_bytes_ += bytes->size();
  write_queue_.push_back(std::move(bytes));
  WriteNext();
}

void Connection::WriteNext() {
  if (writing_ || closed_) return;
  if (write_queue_.empty()) {
    if (close_after_writes_) Drain();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(*write_queue_.front()),
                    [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                      self->writing_ = false;
                      if (self->closed_) return;
                      if (ec) {
                        self->Fail(ec);
                        return;
                      }
                      self->queued_bytes_ -= self->write_queue_.front()->size();
                      self->write_queue_.pop_front();
                      if (self->handler_ != nullptr) self->handler_->OnWritten(*self);
                      self->WriteNext();
                    });
}

void Connection::DiscardQueued() {
  // The front message may be half written: it stays, or the stream would be corrupt.
  const size_t keep = writing_ && !write_queue_.empty() ? 1 : 0;
  while (write_queue_.size() > keep) {
    queued_bytes_ -= write_queue_.back()->size();
    write_queue_.pop_back();
  }
}

void Connection::CloseAfterWrites() {
  close_after_writes_ = true;
  paused_ = true;
  if (!writing_) WriteNext();
}

void Connection::Drain() {
  if (draining_ || closed_) return;
  draining_ = true;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  drain_deadline_ = std::make_unique<asio::steady_timer>(socket_.get_executor(),
                                                         std::chrono::seconds(3));
  drain_deadline_->async_wait([self = shared_from_this()](const boost::system::error_code& e) {
    if (!e) self->Close();
  });
  if (!reading_) ReadDrain();  // else the read in flight continues the drain (OnRead)
}

void Connection::ReadDrain() {
  reading_ = true;
  socket_.async_read_some(asio::buffer(read_buf_),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                            self->reading_ = false;
                            if (ec || self->closed_) {
                              self->Close();
                              return;
                            }
                            self->ReadDrain();
                          });
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  if (drain_deadline_) drain_deadline_->cancel();
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  write_queue_.clear();
  queued_bytes_ = 0;
}

void Connection::Fail(const boost::system::error_code& ec) {
  if (closed_) return;
  Close();
  if (handler_ != nullptr) handler_->OnClosed(*this, ec);
}

}  // namespace evpnd::bgpd
