//! A loopback TCP proxy that cuts connections at random byte offsets and delays them.
