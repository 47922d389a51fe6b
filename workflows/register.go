package workflows

import (
	"go.temporal.io/sdk/worker"

	"github.com/tidtam/tidtam/activities"
)

// Register registers tidtam's workflows and, when a is not nil, its
// activities with a worker (or a replayer's registry), under their
// function and method names. cmd/ wires a worker in one line:
//
//	workflows.Register(w, &activities.Activities{DB: db, Temporal: c, TaskQueue: workflows.TaskQueue})
func Register(w worker.Registry, a *activities.Activities) {
	RegisterWorkflows(w)
	if a != nil {
		w.RegisterActivity(a)
	}
}

// RegisterWorkflows registers only the workflows (e.g. for a replayer).
func RegisterWorkflows(w worker.WorkflowRegistry) {
	w.RegisterWorkflow(DirectiveWorkflow)
	w.RegisterWorkflow(AssignmentWorkflow)
}
