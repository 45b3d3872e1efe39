// Bounded big-endian reader and appending writer for BGP wire bytes. Every read checks the bytes
// left first and reports failure as a value; nothing here throws, reads past its span or
// allocates from a length it was given.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace evpnd::wire {

class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  size_t offset() const { return pos_; }

  bool ReadU8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool ReadU16(uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool ReadU24(uint32_t& v) {
    if (remaining() < 3) return false;
    v = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  bool ReadU32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
        (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  bool ReadBytes(size_t n, std::span<const uint8_t>& v) {
    if (remaining() < n) return false;
    v = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  template <size_t N>
  bool ReadArray(std::array<uint8_t, N>& v) {
    if (remaining() < N) return false;
    std::memcpy(v.data(), data_.data() + pos_, N);
    pos_ += N;
    return true;
  }
  // A reader over the next n bytes, which this reader then skips.
  bool ReadSub(size_t n, WireReader& sub) {
    std::span<const uint8_t> bytes;
    if (!ReadBytes(n, bytes)) return false;
    sub = WireReader(bytes);
    return true;
  }
  // All bytes left; the reader is then empty.
  std::span<const uint8_t> ReadRest() {
    std::span<const uint8_t> rest = data_.subspan(pos_);
    pos_ = data_.size();
    return rest;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

class WireWriter {
 public:
  explicit WireWriter(std::vector<uint8_t>& out) : out_(out) {}

  size_t size() const { return out_.size(); }
  void PutU8(uint8_t v) { out_.push_back(v); }
  void PutU16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void PutU24(uint32_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 16));
    PutU16(static_cast<uint16_t>(v));
  }
  void PutU32(uint32_t v) {
    PutU16(static_cast<uint16_t>(v >> 16));
    PutU16(static_cast<uint16_t>(v));
  }
  void PutBytes(std::span<const uint8_t> v) { out_.insert(out_.end(), v.begin(), v.end()); }
  // Reserves n bytes to be patched later (a length field); returns their position.
  size_t Reserve(size_t n) {
    size_t at = out_.size();
    out_.resize(at + n);
    return at;
  }
  void PatchU8(size_t at, uint8_t v) { out_[at] = v; }
  void PatchU16(size_t at, uint16_t v) {
    out_[at] = static_cast<uint8_t>(v >> 8);
    out_[at + 1] = static_cast<uint8_t>(v);
  }
  // Patches a length field, or marks the writer failed when the length does not fit it: the
  // bytes written are then not to be sent.
  void PatchLength8(size_t at, size_t length) {
    if (length > 0xff) Fail();
    PatchU8(at, static_cast<uint8_t>(length));
  }
  void PatchLength16(size_t at, size_t length) {
    if (length > 0xffff) Fail();
    PatchU16(at, static_cast<uint16_t>(length));
  }
  void Fail() { ok_ = false; }
  bool ok() const { return ok_; }

 private:
  std::vector<uint8_t>& out_;
  bool ok_ = true;
};

}  // namespace evpnd::wire
