// The candidate paths of one Loc-RIB key: a small sequence of PathPtr, contiguous, in the order
// they were added. Nearly every key has one path (one peer sent it), some a few (a route from two
// spines), so one path is held in place and two or more in an array on the heap. It
// is 8 bytes of pointer and 4 of count, and leaves its last 4 bytes to whatever follows it when
// declared [[no_unique_address]] (LocRibEntry does: 24 bytes an entry, a Loc-RIB of a million
// routes holds a million of them).
// NOTE: Threading: core thread only (PathPtr's count is not atomic). Performance: adding grows
// the array to the next power of two (amortised O(1)); removing shifts the paths after it:
// O(paths of the key).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "rib/path.h"

namespace evpnd::rib {

class CandidatePaths {
 public:
  using iterator = PathPtr*;
  using const_iterator = const PathPtr*;

  CandidatePaths() noexcept { new (&one_) PathPtr(); }
  CandidatePaths(const CandidatePaths& other) : CandidatePaths() {
    for (const PathPtr& p : other) push_back(p);
  }
  CandidatePaths(CandidatePaths&& other) noexcept : CandidatePaths() { Swap(other); }
  CandidatePaths& operator=(const CandidatePaths& other) {
    if (this != &other) {
      CandidatePaths copy(other);
      Swap(copy);
    }
    return *this;
  }
  CandidatePaths& operator=(CandidatePaths&& other) noexcept {
    if (this != &other) {
      CandidatePaths taken(std::move(other));
      Swap(taken);
    }
    return *this;
  }
  ~CandidatePaths() {
    if (size_ >= 2) {
      delete[] many_;
    } else {
      one_.~PathPtr();
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  iterator begin() { return size_ >= 2 ? many_ : &one_; }
  iterator end() { return begin() + size_; }
  const_iterator begin() const { return size_ >= 2 ? many_ : &one_; }
  const_iterator end() const { return begin() + size_; }
  PathPtr& operator[](size_t i) { return begin()[i]; }
  const PathPtr& operator[](size_t i) const { return begin()[i]; }

  void push_back(PathPtr path) {
    if (size_ == 0) {
      one_ = std::move(path);
    } else if (size_ == 1) {
      PathPtr* array = new PathPtr[2];
      array[0] = std::move(one_);
      array[1] = std::move(path);
      one_.~PathPtr();
      many_ = array;
    } else if (size_ < Capacity(size_)) {
      many_[size_] = std::move(path);
    } else {
      PathPtr* array = new PathPtr[2 * Capacity(size_)];
      std::move(many_, many_ + size_, array);
      array[size_] = std::move(path);
      delete[] many_;
      many_ = array;
    }
    ++size_;
  }
  // Removes *it (an iterator of this sequence); the others keep their order.
  void erase(const_iterator it) {
    const size_t at = static_cast<size_t>(it - begin());
    if (size_ == 1) {
      one_.reset();
    } else if (size_ == 2) {
      PathPtr kept = std::move(many_[1 - at]);
      delete[] many_;
      new (&one_) PathPtr(std::move(kept));
    } else {
      std::move(many_ + at + 1, many_ + size_, many_ + at);
      many_[size_ - 1].reset();
    }
    --size_;
  }

 private:
  // A lower bound of the array's length for `size` >= 2 paths: it was allocated with a power
  // of two at least as large, and only shrinks back in place (in which case this is less than
  // the length, and the next push_back reallocates early, which is harmless).
  static size_t Capacity(size_t size) { return std::bit_ceil(size); }
  void Swap(CandidatePaths& other) noexcept {
    // Either side holds a PathPtr in place or an array pointer: exchange through temporaries.
    PathPtr mine_one;
    PathPtr* mine_many = nullptr;
    if (size_ >= 2) {
      mine_many = many_;
    } else {
      mine_one = std::move(one_);
      one_.~PathPtr();
    }
    if (other.size_ >= 2) {
      many_ = other.many_;
    } else {
      new (&one_) PathPtr(std::move(other.one_));
      other.one_.~PathPtr();
    }
    if (mine_many != nullptr) {
      other.many_ = mine_many;
    } else {
      new (&other.one_) PathPtr(std::move(mine_one));
    }
    std::swap(size_, other.size_);
  }

  union {
    PathPtr one_;      // size_ <= 1 (null when 0)
    PathPtr* many_;    // size_ >= 2: an array of at least Capacity(size_)
  };
  uint32_t size_ = 0;
};

}  // namespace evpnd::rib
