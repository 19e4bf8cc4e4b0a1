// libzmq's C API (Debian: libzmq3-dev). No pkg-config: zmq.h is on the default include path, and
// Debian's libzmq.pc adds an -isystem flag SwiftPM refuses.
#include <zmq.h>
