package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/tidtam/tidtam/activities"
	"github.com/tidtam/tidtam/internal/notify"
)

// This file is the one place that registers tidtam's workflows and
// activities. cmd/tidtam, the tests and the benchmarks that build workers
// (or replayers) all go through it, so a worker never lacks a type another
// worker has.

// Activities are the activity implementations a worker runs. A nil field
// leaves that group unregistered (a test that runs only some workflows, or
// a replayer, which runs none).
type Activities struct {
	// Directives are the directive and assignment activities, also
	// LoadHolidays, which the meeting workflows use as well.
	Directives *activities.Activities
	// Meetings are the meeting series and meeting activities.
	Meetings *activities.Meetings
	// Delivery are the notification delivery and digest activities.
	Delivery *activities.Delivery
	// Tips are the activities of the tips' officers' workflow
	// (TipWorkflow); it also needs Directives for LoadHolidays.
	Tips *activities.Tips
}

// Register registers every tidtam workflow type (RegisterWorkflows) and
// the non-nil activities of a (RegisterActivities) with a worker. cmd/
// wires a worker with it:
//
//	workflows.Register(w, workflows.Activities{Directives: &activities.Activities{…}, Meetings: …, Delivery: …})
func Register(w worker.Registry, a Activities) {
	RegisterWorkflows(w)
	RegisterActivities(w, a)
}

// RegisterWorkflows registers every tidtam workflow type, and only those,
// under the names other code starts them by: DirectiveWorkflowType,
// AssignmentWorkflowType, MeetingSeriesWorkflowType, MeetingWorkflowType
// (function names) and notify.DeliveryWorkflowType,
// notify.DigestWorkflowType. A replayer takes this alone.
// TipWorkflow is registered under its function name too.
func RegisterWorkflows(w worker.WorkflowRegistry) {
	w.RegisterWorkflow(DirectiveWorkflow)
	w.RegisterWorkflow(AssignmentWorkflow)
	w.RegisterWorkflow(MeetingSeriesWorkflow)
	w.RegisterWorkflow(MeetingWorkflow)
	w.RegisterWorkflow(TipWorkflow)
	w.RegisterWorkflowWithOptions(DeliveryWorkflow, workflow.RegisterOptions{Name: notify.DeliveryWorkflowType})
	w.RegisterWorkflowWithOptions(DigestWorkflow, workflow.RegisterOptions{Name: notify.DigestWorkflowType})
}

// RegisterActivities registers each non-nil activity struct of a with w,
// every exported method under its method name (the name the workflows
// schedule it by).
func RegisterActivities(w worker.ActivityRegistry, a Activities) {
	if a.Directives != nil {
		w.RegisterActivity(a.Directives)
	}
	if a.Meetings != nil {
		w.RegisterActivity(a.Meetings)
	}
	if a.Delivery != nil {
		w.RegisterActivity(a.Delivery)
	}
	if a.Tips != nil {
		w.RegisterActivity(a.Tips)
	}
}
