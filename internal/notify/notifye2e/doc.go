// Package notifye2e holds only an end-to-end test of notification
// delivery against the embedded Temporal server (internal/devserver):
// dispatchers, workers, the delivery workflow and a real SMTP server
// together. It is a package of its own because linking the Temporal server
// makes a test binary slow to build, which the packages it tests should
// not pay for on every run.
package notifye2e
