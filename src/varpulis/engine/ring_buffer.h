// ring_buffer.h — a growable FIFO over one contiguous power-of-two array.
//
// Window state keeps many small FIFOs (one per partition and aggregate), so the container must
// cost nothing while empty and little per element: unlike std::deque (which allocates a map and a
// 512-byte block on construction and indexes through two levels), an empty RingBuffer owns no
// memory and operator[] is one mask. Grows by doubling; never shrinks except by clear().
//
//   RingBuffer<std::int64_t> q;
//   q.push_back(1); q.push_back(2);
//   q.front();      // 1
//   q.pop_front();  // now {2}
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "varpulis/core/check.h"

namespace varpulis::engine {

template <class T>
class RingBuffer {
 public:
  RingBuffer() = default;
  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;
  RingBuffer(RingBuffer&& other) noexcept
      : data_(std::move(other.data_)),
        capacity_(other.capacity_),
        head_(other.head_),
        size_(other.size_) {
    other.capacity_ = other.head_ = other.size_ = 0;
  }
  RingBuffer& operator=(RingBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    capacity_ = other.capacity_;
    head_ = other.head_;
    size_ = other.size_;
    other.capacity_ = other.head_ = other.size_ = 0;
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T& operator[](std::size_t i) { return data_[(head_ + i) & (capacity_ - 1)]; }
  const T& operator[](std::size_t i) const { return data_[(head_ + i) & (capacity_ - 1)]; }
  T& front() { return (*this)[0]; }
  const T& front() const { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(T value) {
    if (size_ == capacity_) Grow();
    data_[(head_ + size_) & (capacity_ - 1)] = std::move(value);
    ++size_;
  }
  // REQUIRES: !empty(). The slot is reset so that it releases what it held (e.g. a string).
  void pop_front() {
    VP_DCHECK(size_ > 0, "pop_front on an empty RingBuffer");
    data_[head_] = T();
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }
  void pop_back() {
    VP_DCHECK(size_ > 0, "pop_back on an empty RingBuffer");
    (*this)[size_ - 1] = T();
    --size_;
  }
  // Frees the storage.
  void clear() {
    data_.reset();
    capacity_ = head_ = size_ = 0;
  }

 private:
  void Grow() {
    std::size_t capacity = capacity_ == 0 ? 4 : capacity_ * 2;
    auto data = std::make_unique<T[]>(capacity);
    for (std::size_t i = 0; i < size_; ++i) data[i] = std::move((*this)[i]);
    data_ = std::move(data);
    capacity_ = capacity;
    head_ = 0;
  }

  std::unique_ptr<T[]> data_;
  std::size_t capacity_ = 0;  // 0 or a power of two
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace varpulis::engine
