#include "api/write_buffers.h"

#include "api/this_thread.h"

namespace kstone {

WriteBuffers& WriteBuffers::ThisThread() {
  return ThisThreadsInstance<WriteBuffers>();
}

}  // namespace kstone
