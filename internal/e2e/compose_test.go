package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tidtam/tidtam/internal/config"
)

// knownEnv lists every environment variable the tidtam binary reads,
// straight from the config package.
var knownEnv = config.Names()

// ownEnvPrefixes are the prefixes of the variables the binary owns.
var ownEnvPrefixes = []string{"TIDTAM_", "TEMPORAL_"}

func isOwnEnv(name string) bool {
	for _, p := range ownEnvPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// The services docker-compose.yml must define.
var requiredServices = []string{"postgresql", "temporal", "temporal-ui", "mailpit", "migrate", "api", "worker"}

// composeFile is the part of a Compose file these tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image         string         `yaml:"image"`
	Build         any            `yaml:"build"`
	ContainerName string         `yaml:"container_name"`
	Command       any            `yaml:"command"`
	Environment   composeEnv     `yaml:"environment"`
	Ports         []any          `yaml:"ports"`
	DependsOn     composeDepends `yaml:"depends_on"`
	Healthcheck   *struct {
		Test    any  `yaml:"test"`
		Disable bool `yaml:"disable"`
	} `yaml:"healthcheck"`
	Volumes []any `yaml:"volumes"`
}

// composeEnv is a service's environment, written either as a mapping or as a
// list of NAME=value. Values are as written, before interpolation.
type composeEnv map[string]string

// UnmarshalYAML accepts both forms of environment. Decoding into a generic
// value first lets yaml.v3 resolve anchors and << merge keys.
func (e *composeEnv) UnmarshalYAML(n *yaml.Node) error {
	var raw any
	if err := n.Decode(&raw); err != nil {
		return err
	}
	out := composeEnv{}
	switch v := raw.(type) {
	case map[string]any:
		for k, val := range v {
			if val == nil {
				out[k] = ""
			} else {
				out[k] = fmt.Sprint(val)
			}
		}
	case []any:
		for _, item := range v {
			s := fmt.Sprint(item)
			k, val, _ := strings.Cut(s, "=")
			out[k] = val
		}
	case nil:
	default:
		return fmt.Errorf("line %d: environment must be a mapping or a list, got %T", n.Line, raw)
	}
	*e = out
	return nil
}

// composeDepends maps each dependency to its condition; the short list form
// means service_started.
type composeDepends map[string]string

// UnmarshalYAML accepts the list and the mapping form of depends_on.
func (d *composeDepends) UnmarshalYAML(n *yaml.Node) error {
	var raw any
	if err := n.Decode(&raw); err != nil {
		return err
	}
	out := composeDepends{}
	switch v := raw.(type) {
	case []any:
		for _, item := range v {
			out[fmt.Sprint(item)] = "service_started"
		}
	case map[string]any:
		for name, spec := range v {
			cond := "service_started"
			if m, ok := spec.(map[string]any); ok {
				if c, ok := m["condition"].(string); ok {
					cond = c
				}
			}
			out[name] = cond
		}
	case nil:
	default:
		return fmt.Errorf("line %d: depends_on must be a list or a mapping, got %T", n.Line, raw)
	}
	*d = out
	return nil
}

// isTidtam reports whether the service runs the tidtam image.
func (s composeService) isTidtam() bool {
	return s.Build != nil || strings.HasPrefix(s.Image, "tidtam")
}

// loadCompose parses docker-compose.yml at the repository root.
func loadCompose(t *testing.T) (composeFile, string) {
	t.Helper()
	p := filepath.Join(repoRoot(t), "docker-compose.yml")
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("reading the compose file: %v", err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("%s is not valid YAML for Compose: %v", p, err)
	}
	if len(cf.Services) == 0 {
		t.Fatalf("%s defines no services", p)
	}
	return cf, string(raw)
}

// interpolationRE matches ${NAME}, ${NAME:-default}, ${NAME-default},
// ${NAME:?message}, ${NAME?message}, ${NAME:+alt}, ${NAME+alt} and $NAME.
var interpolationRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate expands Compose variables the way `docker compose` does with
// none of them set in the environment: defaults apply, required ones become
// "<required NAME>", and $$ is a literal $.
func interpolate(s string) string {
	const dollar = "\x00"
	s = strings.ReplaceAll(s, "$$", dollar)
	s = interpolationRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := interpolationRE.FindStringSubmatch(m)
		switch op := sub[2]; {
		case op == ":-" || op == "-":
			return sub[3]
		case op == ":?" || op == "?":
			return "<required " + sub[1] + ">"
		default:
			return ""
		}
	})
	return strings.ReplaceAll(s, dollar, "$")
}

// interpolatedNames returns the names of the variables the text reads.
func interpolatedNames(s string) []string {
	s = strings.ReplaceAll(s, "$$", "")
	var names []string
	for _, m := range interpolationRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1]+m[4])
	}
	return names
}

func TestComposeHasServices(t *testing.T) {
	cf, _ := loadCompose(t)
	for _, name := range requiredServices {
		if _, ok := cf.Services[name]; !ok {
			t.Errorf("service %q is missing from docker-compose.yml (have %v)", name, sortedKeys(cf.Services))
		}
	}
	for _, name := range []string{"migrate", "api", "worker"} {
		if s, ok := cf.Services[name]; ok && !s.isTidtam() {
			t.Errorf("service %q does not run the tidtam image (image %q, no build)", name, s.Image)
		}
	}
	if img := cf.Services["postgresql"].Image; !strings.HasPrefix(img, "postgres:15") {
		t.Errorf("postgresql image is %q, want postgres:15", img)
	}
	// A real Temporal server, pinned to the series of go.temporal.io/server in go.mod.
	if img := cf.Services["temporal"].Image; !regexp.MustCompile(`^temporalio/(server|auto-setup):1\.32(\.|$)`).MatchString(img) {
		t.Errorf("temporal image is %q, want temporalio/server:1.32.x (the server version in go.mod)", img)
	}
	for name, s := range cf.Services {
		if s.Image != "" && !s.isTidtam() && (strings.HasSuffix(s.Image, ":latest") || !strings.Contains(s.Image, ":")) {
			t.Errorf("service %q uses image %q: pin a version", name, s.Image)
		}
	}
	wantCommand := map[string]string{"migrate": "migrate", "api": "api", "worker": "worker"}
	for name, want := range wantCommand {
		s, ok := cf.Services[name]
		if !ok {
			continue
		}
		if got := commandWords(s.Command); len(got) == 0 || got[0] != want {
			t.Errorf("service %q runs command %v, want `tidtam %s`", name, got, want)
		}
	}
}

func TestComposeWorkerIsScalable(t *testing.T) {
	cf, _ := loadCompose(t)
	w, ok := cf.Services["worker"]
	if !ok {
		t.Fatal("no worker service")
	}
	if w.ContainerName != "" {
		t.Errorf("worker has container_name %q: `docker compose up --scale worker=3` needs distinct names", w.ContainerName)
	}
	if len(w.Ports) != 0 {
		t.Errorf("worker publishes ports %v: a host port can be bound by one replica only", w.Ports)
	}
}

func TestComposeWiresDatabaseAndTemporal(t *testing.T) {
	cf, _ := loadCompose(t)
	for _, name := range []string{"migrate", "api", "worker"} {
		s, ok := cf.Services[name]
		if !ok {
			t.Errorf("no %s service", name)
			continue
		}
		env := s.Environment

		rawURL, ok := env["TIDTAM_DATABASE_URL"]
		if !ok {
			t.Errorf("%s: TIDTAM_DATABASE_URL is not set (it would fall back to SQLite in the container)", name)
		} else {
			u, err := url.Parse(interpolate(rawURL))
			switch {
			case err != nil:
				t.Errorf("%s: TIDTAM_DATABASE_URL %q does not parse: %v", name, rawURL, err)
			case u.Scheme != "postgres" && u.Scheme != "postgresql":
				t.Errorf("%s: TIDTAM_DATABASE_URL scheme is %q, want postgres", name, u.Scheme)
			case u.Hostname() != "postgresql" || (u.Port() != "" && u.Port() != "5432"):
				t.Errorf("%s: TIDTAM_DATABASE_URL points at %q, want the postgresql service on 5432", name, u.Host)
			case strings.Trim(u.Path, "/") == "":
				t.Errorf("%s: TIDTAM_DATABASE_URL %q names no database", name, rawURL)
			}
		}

		addr, ok := env["TEMPORAL_ADDRESS"]
		if !ok {
			t.Errorf("%s: TEMPORAL_ADDRESS is not set (it would start an embedded Temporal server)", name)
		} else if host, port, err := net.SplitHostPort(interpolate(addr)); err != nil || host != "temporal" || port != "7233" {
			t.Errorf("%s: TEMPORAL_ADDRESS is %q, want temporal:7233 (the temporal service)", name, addr)
		}

		if host := interpolate(env["TIDTAM_SMTP_HOST"]); host != "mailpit" {
			t.Errorf("%s: TIDTAM_SMTP_HOST is %q, want mailpit", name, host)
		}
		if port := interpolate(env["TIDTAM_SMTP_PORT"]); port != "1025" {
			t.Errorf("%s: TIDTAM_SMTP_PORT is %q, want 1025 (mailpit's SMTP port)", name, port)
		}
	}
	if got := interpolate(cf.Services["api"].Environment["TIDTAM_HTTP_ADDR"]); got != "0.0.0.0:8080" {
		t.Errorf("api: TIDTAM_HTTP_ADDR is %q, want 0.0.0.0:8080 (the default 127.0.0.1 is unreachable from outside the container)", got)
	}
	if got := interpolate(cf.Services["temporal-ui"].Environment["TEMPORAL_ADDRESS"]); got != "temporal:7233" {
		t.Errorf("temporal-ui: TEMPORAL_ADDRESS is %q, want temporal:7233", got)
	}
}

// TestComposeUsesOnlyKnownVariables checks the environment of every service
// that runs the tidtam image, and every ${…} the file interpolates, against
// knownEnv. The Temporal and UI images read their own TEMPORAL_* variables
// (TEMPORAL_ALLOW_NO_AUTH, …); those are not the binary's and are not checked.
func TestComposeUsesOnlyKnownVariables(t *testing.T) {
	cf, raw := loadCompose(t)
	tidtamServices := 0
	for name, s := range cf.Services {
		if !s.isTidtam() {
			continue
		}
		tidtamServices++
		for k := range s.Environment {
			if isOwnEnv(k) && !slices.Contains(knownEnv, k) {
				t.Errorf("service %q sets %s, which the tidtam binary does not read (see knownEnv)", name, k)
			}
		}
	}
	if tidtamServices == 0 {
		t.Fatal("no service runs the tidtam image (build: or image: tidtam…)")
	}
	for _, name := range interpolatedNames(raw) {
		if isOwnEnv(name) && !slices.Contains(knownEnv, name) {
			t.Errorf("docker-compose.yml interpolates ${%s}, which the tidtam binary does not read", name)
		}
	}
}

func TestComposeDependencies(t *testing.T) {
	cf, _ := loadCompose(t)
	validConditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, s := range cf.Services {
		for dep, cond := range s.DependsOn {
			target, ok := cf.Services[dep]
			if !ok {
				t.Errorf("service %q depends on %q, which is not a service", name, dep)
				continue
			}
			if !slices.Contains(validConditions, cond) {
				t.Errorf("service %q depends on %q with condition %q, want one of %v", name, dep, cond, validConditions)
			}
			if cond == "service_healthy" && (target.Healthcheck == nil || target.Healthcheck.Disable) {
				t.Errorf("service %q waits for %q to be healthy, but %q has no healthcheck", name, dep, dep)
			}
		}
	}
	if cycle := dependencyCycle(cf); cycle != nil {
		t.Errorf("depends_on has a cycle: %s", strings.Join(cycle, " → "))
	}
	want := map[string]map[string]string{
		"migrate": {"postgresql": "service_healthy", "temporal": "service_healthy"},
		"api":     {"migrate": "service_completed_successfully"},
		"worker":  {"migrate": "service_completed_successfully"},
	}
	for name, deps := range want {
		for dep, cond := range deps {
			if got := cf.Services[name].DependsOn[dep]; got != cond {
				t.Errorf("service %q: depends_on %s has condition %q, want %q", name, dep, got, cond)
			}
		}
	}
	if !dependsOnTransitively(cf, "temporal", "postgresql") {
		t.Error("temporal does not (even indirectly) wait for postgresql")
	}
}

// dependencyCycle returns one depends_on cycle, or nil.
func dependencyCycle(cf composeFile) []string {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		switch state[n] {
		case visiting:
			i := slices.Index(stack, n)
			return append(slices.Clone(stack[i:]), n)
		case done:
			return nil
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, dep := range sortedKeys(cf.Services[n].DependsOn) {
			if c := visit(dep); c != nil {
				return c
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, n := range sortedKeys(cf.Services) {
		if c := visit(n); c != nil {
			return c
		}
	}
	return nil
}

func dependsOnTransitively(cf composeFile, from, to string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(n string) bool {
		if seen[n] {
			return false
		}
		seen[n] = true
		for dep := range cf.Services[n].DependsOn {
			if dep == to || walk(dep) {
				return true
			}
		}
		return false
	}
	return walk(from)
}

func TestComposeHealthchecks(t *testing.T) {
	cf, _ := loadCompose(t)
	for _, name := range []string{"postgresql", "api"} {
		hc := cf.Services[name].Healthcheck
		if hc == nil || hc.Disable || len(commandWords(hc.Test)) == 0 {
			t.Errorf("service %q has no healthcheck", name)
		}
	}
	if hc := cf.Services["api"].Healthcheck; hc != nil && !strings.Contains(strings.Join(commandWords(hc.Test), " "), "/readyz") {
		t.Errorf("api healthcheck %v does not probe /readyz", commandWords(hc.Test))
	}
}

func TestComposePublishedPorts(t *testing.T) {
	cf, _ := loadCompose(t)
	// Service → the container ports it may publish.
	allowed := map[string][]string{
		"api":         {"8080"},
		"temporal-ui": {"8080"},
		"mailpit":     {"8025"},
	}
	for name, s := range cf.Services {
		for _, p := range s.Ports {
			hostIP, target, err := parsePort(p)
			if err != nil {
				t.Errorf("service %q: port %v: %v", name, p, err)
				continue
			}
			if !slices.Contains(allowed[name], target) {
				t.Errorf("service %q publishes container port %s; only api 8080, temporal-ui 8080 and mailpit 8025 (web) may be published", name, target)
			}
			if hostIP != "127.0.0.1" {
				t.Errorf("service %q publishes %v on host address %q, want 127.0.0.1 (loopback; a reverse proxy fronts it)", name, p, hostIP)
			}
		}
	}
	for name := range allowed {
		if s, ok := cf.Services[name]; ok && len(s.Ports) == 0 {
			t.Errorf("service %q publishes no port; it is meant to be reachable from the host", name)
		}
	}
}

// parsePort reads a Compose port in the short ("127.0.0.1:8080:8080") or
// long ({target, published, host_ip}) syntax.
func parsePort(p any) (hostIP, target string, err error) {
	switch v := p.(type) {
	case string:
		s := interpolate(v)
		s, _, _ = strings.Cut(s, "/") // protocol
		parts := strings.Split(s, ":")
		switch len(parts) {
		case 1:
			return "", parts[0], nil
		case 2:
			return "", parts[1], nil
		case 3:
			return parts[0], parts[2], nil
		}
		return "", "", fmt.Errorf("unrecognised short syntax %q", v)
	case int:
		return "", fmt.Sprint(v), nil
	case map[string]any:
		hostIP, _ = v["host_ip"].(string)
		return hostIP, fmt.Sprint(v["target"]), nil
	}
	return "", "", fmt.Errorf("unrecognised port entry of type %T", p)
}

// TestComposePersistentVolumes checks that state survives `docker compose
// down && up`: PostgreSQL's data and the API's data dir (uploaded evidence)
// are on named volumes.
func TestComposePersistentVolumes(t *testing.T) {
	cf, _ := loadCompose(t)
	dataDir := interpolate(cf.Services["api"].Environment["TIDTAM_DATA_DIR"])
	if dataDir == "" {
		dataDir = "/var/lib/tidtam" // the Dockerfile's default
	}
	for name, target := range map[string]string{
		"postgresql": "/var/lib/postgresql/data",
		"api":        dataDir,
	} {
		found := false
		for _, v := range cf.Services[name].Volumes {
			spec, ok := v.(string)
			if !ok {
				continue
			}
			parts := strings.Split(interpolate(spec), ":")
			if len(parts) < 2 || parts[1] != target {
				continue
			}
			found = true
			if _, named := cf.Volumes[parts[0]]; !named {
				t.Errorf("service %q mounts %s from %q, which is not a named volume declared under volumes:", name, target, parts[0])
			}
		}
		if !found {
			t.Errorf("service %q keeps %s in the container: mount a named volume there", name, target)
		}
	}
}

func TestComposeTemporalDynamicConfig(t *testing.T) {
	cf, _ := loadCompose(t)
	root := repoRoot(t)
	s := cf.Services["temporal"]
	dcPath := interpolate(s.Environment["DYNAMIC_CONFIG_FILE_PATH"])
	if dcPath == "" {
		t.Fatal("temporal: DYNAMIC_CONFIG_FILE_PATH is not set")
	}
	mounted := false
	for _, v := range s.Volumes {
		spec, ok := v.(string)
		if !ok {
			continue
		}
		parts := strings.Split(interpolate(spec), ":")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], "./deploy/temporal") {
			continue
		}
		rel, err := filepath.Rel(parts[1], dcPath)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		mounted = true
		local := filepath.Join(root, filepath.FromSlash(parts[0]), rel)
		if _, err := os.Stat(local); err != nil {
			t.Errorf("temporal reads dynamic config %s, mounted from %s, which does not exist: %v", dcPath, local, err)
		}
	}
	if !mounted {
		t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH %s is not inside a volume mounted from ./deploy/temporal", dcPath)
	}
	if path.Ext(dcPath) != ".yaml" && path.Ext(dcPath) != ".yml" {
		t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH %s is not a YAML file", dcPath)
	}
}

// dockerInstruction is one Dockerfile instruction with continuations joined.
type dockerInstruction struct {
	Line int
	Cmd  string // upper case: FROM, RUN, USER, …
	Args string
}

func parseDockerfile(t *testing.T) []dockerInstruction {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatalf("reading Dockerfile: %v", err)
	}
	defer f.Close()
	var out []dockerInstruction
	var cur strings.Builder
	start, line := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (text == "" || strings.HasPrefix(text, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = line
		}
		if strings.HasPrefix(text, "#") {
			continue // comment inside a continued instruction
		}
		if body, ok := strings.CutSuffix(text, `\`); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(text)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstruction{Line: start, Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading Dockerfile: %v", err)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t)
	lastFrom := -1
	builds := false
	for i, in := range ins {
		switch in.Cmd {
		case "FROM":
			lastFrom = i
		case "RUN":
			if strings.Contains(in.Args, "go build") && strings.Contains(in.Args, "./cmd/tidtam") {
				builds = true
				if !strings.Contains(in.Args, "CGO_ENABLED=0") {
					t.Errorf("Dockerfile:%d builds ./cmd/tidtam without CGO_ENABLED=0 (the runtime image has no C toolchain libraries to rely on)", in.Line)
				}
			}
		}
	}
	if !builds {
		t.Error("Dockerfile has no RUN … go build … ./cmd/tidtam")
	}
	if lastFrom < 1 {
		t.Fatal("Dockerfile is not multi-stage: want a builder stage and a runtime stage")
	}
	if first := ins[0]; first.Cmd != "FROM" || !strings.HasPrefix(first.Args, "golang:1.26") {
		t.Errorf("first stage is %q, want FROM golang:1.26…", first.Cmd+" "+first.Args)
	}
	var user, entrypoint string
	for _, in := range ins[lastFrom+1:] {
		switch in.Cmd {
		case "USER":
			user = in.Args
		case "ENTRYPOINT":
			entrypoint = in.Args
		}
	}
	name, _, _ := strings.Cut(user, ":")
	switch name {
	case "":
		t.Error("the runtime stage has no USER: the container would run as root")
	case "root", "0":
		t.Errorf("the runtime stage runs as USER %s", user)
	}
	if !strings.Contains(entrypoint, "tidtam") {
		t.Errorf("the runtime stage's ENTRYPOINT is %q, want the tidtam binary", entrypoint)
	}
}

func TestDockerignore(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatalf("reading .dockerignore: %v", err)
	}
	var lines []string
	for l := range strings.Lines(string(raw)) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, strings.Trim(l, "/"))
		}
	}
	if !slices.Contains(lines, ".git") {
		t.Error(".dockerignore does not exclude .git")
	}
	// The build needs these; excluding them breaks `go build ./cmd/tidtam`.
	for _, need := range []string{"go.mod", "go.sum", "cmd", "internal", "*.go", "**/*.go"} {
		if slices.Contains(lines, need) {
			t.Errorf(".dockerignore excludes %s, which the image build needs", need)
		}
	}
}

// commandWords flattens a Compose command or healthcheck test (string or
// list) into words, dropping the CMD/CMD-SHELL marker.
func commandWords(c any) []string {
	var words []string
	switch v := c.(type) {
	case string:
		words = strings.Fields(v)
	case []any:
		for _, w := range v {
			words = append(words, fmt.Sprint(w))
		}
	}
	if len(words) > 0 && (words[0] == "CMD" || words[0] == "CMD-SHELL") {
		words = words[1:]
	}
	return words
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
