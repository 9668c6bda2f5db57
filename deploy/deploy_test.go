// Package deploy tests what runs talkfeed elsewhere, without a container
// engine: the Kubernetes manifests decode strictly into the official API
// types, the Marathon app, systemd unit, compose file and Dockerfile have
// the shape they need, and the real binary, started with the arguments,
// environment each one gives it, answers the paths its probes and
// health checks name.
//
// Three things are translated, since no cluster or network is here: the
// talk source becomes the repository's demo talks (a folder) instead of
// the git URL, paths the manifests mount become temporary folders, and
// the daemon listens on a port the kernel picks (read back from its log)
// while each test checks the manifest's own port statically.
package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// talkfeed builds the binary from the module beside this one.
func talkfeed(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "talkfeed-deploy-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "talkfeed")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/talkfeed")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func demoTalks(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "demo", "talks"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// configuredPort is the port a manifest makes the daemon listen on: that
// of its TALKFEED_ADDR, or the daemon's default, 8080, when it sets none.
func configuredPort(t *testing.T, addr string) int {
	t.Helper()
	if addr == "" {
		return 8080
	}
	port, err := portOf(addr)
	if err != nil || port == 0 {
		t.Fatalf("TALKFEED_ADDR %q names no port", addr)
	}
	return port
}

func portOf(addr string) (int, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(p)
}

// daemonEnv is the whole environment the daemon gets: nothing from the
// test's own, so that a stray TALKFEED_* variable cannot change the run,
// a pinned clock, and a listener on a port the kernel picks, so that
// tests on a shared machine never race for the manifest's port (which
// each test checks statically instead).
func daemonEnv(t *testing.T, manifest map[string]string) []string {
	t.Helper()
	vars := maps.Clone(manifest)
	vars["TALKFEED_ADDR"] = "127.0.0.1:0"
	vars["TALKFEED_NOW"] = "2026-11-24T12:00:00Z"
	env := baseEnv(t)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// baseEnv is all that a process the test starts gets from outside: the
// PATH and the temporary folder, and a home of its own.
func baseEnv(t *testing.T) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir()}
}

// daemonLog keeps the daemon's log and finds the address it listens on
// in its "listening" line, in text or JSON, whichever the manifest picks.
type daemonLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	scanned int
	addr    chan string // receives the address once
}

func (l *daemonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		rest := l.buf.Bytes()[l.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return len(p), nil
		}
		if addr := listeningAddr(rest[:i]); addr != "" {
			select {
			case l.addr <- addr:
			default:
			}
		}
		l.scanned += i + 1
	}
}

func (l *daemonLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// listeningAddr is the addr of a "listening" log line, or "".
func listeningAddr(line []byte) string {
	if bytes.HasPrefix(line, []byte("{")) {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) != nil || rec.Msg != "listening" {
			return ""
		}
		return rec.Addr
	}
	// slog's text form: key=value, values quoted when they need it.
	kv := map[string]string{}
	for _, f := range strings.Fields(string(line)) {
		k, v, _ := strings.Cut(f, "=")
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		kv[k] = v
	}
	if kv["msg"] != "listening" {
		return ""
	}
	return kv["addr"]
}

// runAndProbe starts the binary and asks each path until it answers 200.
func runAndProbe(t *testing.T, args []string, env map[string]string, paths ...string) {
	t.Helper()
	runProbeAnd(t, args, env, paths, nil)
}

// runProbeAnd is runAndProbe, then runs during with the daemon's port
// while the daemon is up.
func runProbeAnd(t *testing.T, args []string, env map[string]string, paths []string, during func(port int)) {
	t.Helper()
	cmd := exec.Command(talkfeed(t), args...)
	cmd.Env = daemonEnv(t, env)
	logs := &daemonLog{addr: make(chan string, 1)}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
			if !t.Failed() {
				t.Errorf("talkfeed exited on its own: %v", waitErr)
			}
		default:
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
				if waitErr != nil {
					t.Errorf("exit after SIGTERM: %v", waitErr)
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Error("no exit after SIGTERM")
			}
		}
		if t.Failed() {
			t.Logf("talkfeed %s\n%s", strings.Join(args, " "), logs)
		}
	}()

	var addr string
	select {
	case addr = <-logs.addr:
	case <-exited:
		t.Fatalf("talkfeed exited before listening: %v", waitErr)
	case <-time.After(20 * time.Second):
		t.Fatal(`no "listening" log line within 20s`)
	}
	port, err := portOf(addr)
	if err != nil {
		t.Fatalf("listening on %q: %v", addr, err)
	}

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for _, p := range paths {
		url := "http://" + addr + p
		for {
			res, err := client.Get(url)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					break
				}
				err = fmt.Errorf("status %s", res.Status)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never answered 200 (last: %v)", url, err)
			}
			select {
			case <-exited:
				t.Fatalf("talkfeed exited (%v) while %s answered %v", waitErr, url, err)
			case <-time.After(100 * time.Millisecond): // the poll interval
			}
		}
	}
	if during != nil {
		during(port)
	}
}

// decodeStrict decodes a manifest into its API type, refusing unknown
// fields: a typo in a manifest fails here, not in the cluster.
func decodeStrict(t *testing.T, file string, into any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func TestKubernetes(t *testing.T) {
	var kust struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	decodeStrict(t, "kubernetes/kustomization.yaml", &kust)
	files, _ := filepath.Glob("kubernetes/*.yaml")
	var listed []string
	for _, f := range files {
		if filepath.Base(f) != "kustomization.yaml" {
			listed = append(listed, filepath.Base(f))
		}
	}
	slices.Sort(listed)
	res := slices.Clone(kust.Resources)
	slices.Sort(res)
	if kust.Kind != "Kustomization" || !slices.Equal(res, listed) {
		t.Errorf("kustomization lists %v, the folder has %v", kust.Resources, listed)
	}

	var dep appsv1.Deployment
	var svc corev1.Service
	var pdb policyv1.PodDisruptionBudget
	var cm corev1.ConfigMap
	decodeStrict(t, "kubernetes/deployment.yaml", &dep)
	decodeStrict(t, "kubernetes/service.yaml", &svc)
	decodeStrict(t, "kubernetes/pdb.yaml", &pdb)
	decodeStrict(t, "kubernetes/configmap.yaml", &cm)
	for kind, got := range map[string]string{"Deployment": dep.Kind, "Service": svc.Kind, "PodDisruptionBudget": pdb.Kind, "ConfigMap": cm.Kind} {
		if got != kind {
			t.Errorf("kind %q, want %q", got, kind)
		}
	}

	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Error("the Deployment does not run two replicas")
	}
	labels := dep.Spec.Template.Labels
	for k, v := range dep.Spec.Selector.MatchLabels {
		if labels[k] != v || svc.Spec.Selector[k] != v || pdb.Spec.Selector.MatchLabels[k] != v {
			t.Errorf("selector %s=%s does not match the pods, Service and PodDisruptionBudget", k, v)
		}
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Error("the PodDisruptionBudget keeps no pod")
	}
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("pods may run as root")
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("the container is not read-only and unprivileged")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Error("no resources")
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" ||
		c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Fatal("probes are not /readyz and /healthz")
	}
	portNamed := map[string]int32{}
	for _, p := range c.Ports {
		portNamed[p.Name] = p.ContainerPort
	}
	if svc.Spec.Ports[0].TargetPort.String() != "http" || portNamed["http"] == 0 {
		t.Error("the Service does not target the container's http port")
	}
	for _, probe := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if p := probe.HTTPGet.Port; p.String() != "http" && p.IntValue() != int(portNamed["http"]) {
			t.Errorf("a probe asks port %s, not the container's http port", p.String())
		}
	}

	// Run the container's command with its environment.
	mounts := map[string]string{} // mount path → a folder here
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = t.TempDir()
	}
	for _, v := range pod.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name != v.Name {
				continue
			}
			for _, item := range v.ConfigMap.Items {
				if err := os.WriteFile(filepath.Join(mounts[m.MountPath], item.Path), []byte(cm.Data[item.Key]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	env := map[string]string{}
	hasSecret := false
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			env[e.Name] = cm.Data[e.ValueFrom.ConfigMapKeyRef.Key]
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			hasSecret = e.Name == "TALKFEED_GIT_TOKEN" && e.ValueFrom.SecretKeyRef.Optional != nil && *e.ValueFrom.SecretKeyRef.Optional
		default:
			env[e.Name] = e.Value
		}
		for mount, here := range mounts {
			if rest, ok := strings.CutPrefix(env[e.Name], mount); ok {
				env[e.Name] = here + rest
			}
		}
	}
	if !hasSecret {
		t.Error("the git token is not an optional Secret reference")
	}
	if !strings.HasSuffix(env["TALKFEED_SOURCE"], ".git") {
		t.Errorf("source %q", env["TALKFEED_SOURCE"])
	}
	if got := configuredPort(t, env["TALKFEED_ADDR"]); got != int(portNamed["http"]) {
		t.Errorf("the daemon listens on %d, the container's http port is %d", got, portNamed["http"])
	}
	env["TALKFEED_SOURCE"] = demoTalks(t) // no network here
	runAndProbe(t, append(c.Command, c.Args...), env, c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path, "/feed.rss")
}

func TestMarathon(t *testing.T) {
	var app struct {
		ID        string            `json:"id"`
		Instances int               `json:"instances"`
		CPUs      float64           `json:"cpus"`
		Mem       float64           `json:"mem"`
		Args      []string          `json:"args"`
		Env       map[string]string `json:"env"`
		Container struct {
			Type   string `json:"type"`
			Docker struct {
				Image string `json:"image"`
			} `json:"docker"`
			PortMappings []struct {
				ContainerPort int    `json:"containerPort"`
				HostPort      int    `json:"hostPort"`
				Protocol      string `json:"protocol"`
				Name          string `json:"name"`
			} `json:"portMappings"`
		} `json:"container"`
		Networks     []map[string]string `json:"networks"`
		HealthChecks []struct {
			Protocol               string `json:"protocol"`
			Path                   string `json:"path"`
			PortIndex              int    `json:"portIndex"`
			GracePeriodSeconds     int    `json:"gracePeriodSeconds"`
			IntervalSeconds        int    `json:"intervalSeconds"`
			TimeoutSeconds         int    `json:"timeoutSeconds"`
			MaxConsecutiveFailures int    `json:"maxConsecutiveFailures"`
		} `json:"healthChecks"`
		ReadinessChecks []struct {
			Name                    string `json:"name"`
			Protocol                string `json:"protocol"`
			Path                    string `json:"path"`
			PortName                string `json:"portName"`
			IntervalSeconds         int    `json:"intervalSeconds"`
			TimeoutSeconds          int    `json:"timeoutSeconds"`
			HTTPStatusCodesForReady []int  `json:"httpStatusCodesForReady"`
		} `json:"readinessChecks"`
		UpgradeStrategy map[string]float64 `json:"upgradeStrategy"`
		Labels          map[string]string  `json:"labels"`
	}
	data, err := os.ReadFile("marathon/talkfeed.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&app); err != nil {
		t.Fatal(err)
	}
	if app.Instances != 2 || app.Container.Type != "DOCKER" || len(app.Container.PortMappings) != 1 || len(app.HealthChecks) != 1 || len(app.ReadinessChecks) != 1 {
		t.Fatalf("app %+v", app)
	}
	hc, rc := app.HealthChecks[0], app.ReadinessChecks[0]
	if hc.Path != "/healthz" || rc.Path != "/readyz" || rc.PortName != app.Container.PortMappings[0].Name {
		t.Errorf("checks %+v %+v", hc, rc)
	}
	env := map[string]string{}
	for k, v := range app.Env {
		env[k] = v
	}
	// The checks ask the mapping's container port (portIndex, portName).
	if hc.PortIndex != 0 {
		t.Errorf("the health check asks port index %d, the app maps one port", hc.PortIndex)
	}
	if got, want := configuredPort(t, env["TALKFEED_ADDR"]), app.Container.PortMappings[0].ContainerPort; got != want {
		t.Errorf("the daemon listens on %d, the container port is %d", got, want)
	}
	env["TALKFEED_SOURCE"] = demoTalks(t)
	env["TALKFEED_CACHE_DIR"] = t.TempDir()
	runAndProbe(t, app.Args, env, hc.Path, rc.Path)
}

// unit reads a systemd unit's keys (a key may repeat).
func unit(t *testing.T, file string) map[string][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not key=value", file, line)
		}
		out[k] = append(out[k], v)
	}
	return out
}

func TestSystemd(t *testing.T) {
	u := unit(t, "systemd/talkfeed.service")
	for k, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "ProtectHome": "yes",
		"PrivateTmp": "yes", "ExecReload": "/bin/kill -HUP $MAINPID", "CacheDirectory": "talkfeed",
		"StateDirectory": "talkfeed",
	} {
		if len(u[k]) != 1 || u[k][0] != want {
			t.Errorf("%s=%v, want %s", k, u[k], want)
		}
	}
	fields := strings.Fields(u["ExecStart"][0])
	cacheHome, stateHome := t.TempDir(), t.TempDir()
	env := map[string]string{"TALKFEED_SOURCE": demoTalks(t)}
	for _, e := range u["Environment"] {
		k, v, _ := strings.Cut(e, "=")
		v = strings.ReplaceAll(strings.ReplaceAll(v, "%C", cacheHome), "%S", stateHome)
		env[k] = v
	}
	os.MkdirAll(filepath.Join(stateHome, "talkfeed"), 0o755)
	// A unit exposes nothing; the port is the one the docs and the other
	// manifests give.
	if got := configuredPort(t, env["TALKFEED_ADDR"]); got != 8080 {
		t.Errorf("the unit's daemon listens on %d, not 8080", got)
	}
	runAndProbe(t, fields[1:], env, "/healthz", "/readyz")
	// The ledger of the folder source went where systemd keeps state.
	if _, err := os.Stat(filepath.Join(stateHome, "talkfeed", "ledger.json")); err != nil {
		t.Errorf("no ledger in the unit's StateDirectory: %v", err)
	}
}

func TestComposeAndDockerfile(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Build struct {
				Context    string `json:"context"`
				Dockerfile string `json:"dockerfile"`
			} `json:"build"`
			Command     []string          `json:"command"`
			Environment map[string]string `json:"environment"`
			Ports       []string          `json:"ports"`
			Volumes     []string          `json:"volumes"`
			ReadOnly    bool              `json:"read_only"`
			Tmpfs       []string          `json:"tmpfs"`
		} `json:"services"`
		Volumes map[string]struct{} `json:"volumes"`
	}
	decodeStrict(t, "compose.yaml", &compose)
	s, ok := compose.Services["talkfeed"]
	if !ok || s.Build.Dockerfile != "deploy/Dockerfile" || len(s.Ports) != 1 || len(s.Volumes) != 2 {
		t.Fatalf("compose %+v", compose)
	}
	if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
		t.Errorf("the build context has no %s", s.Build.Dockerfile)
	}
	host, container, _ := strings.Cut(s.Volumes[0], ":")
	container = strings.TrimSuffix(container, ":ro")
	args := slices.Clone(s.Command)
	for i, a := range args {
		if a == container {
			args[i] = host // the mounted folder, as this machine has it
		}
	}
	// The second volume is the named one that keeps the ledger, where the
	// image says state lives.
	if _, ok := compose.Volumes["state"]; !ok || s.Volumes[1] != "state:/var/lib/talkfeed" {
		t.Errorf("compose keeps no ledger volume: %v %v", s.Volumes, compose.Volumes)
	}
	env := map[string]string{"TALKFEED_CACHE_DIR": t.TempDir(), "TALKFEED_STATE_DIR": t.TempDir()}
	maps.Copy(env, s.Environment)

	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "FROM scratch", "USER 65532:65532", "ca-certificates.crt", `HEALTHCHECK`, `CMD ["/talkfeed", "healthcheck"]`, `ENTRYPOINT ["/talkfeed"]`, "TALKFEED_STATE_DIR=/var/lib/talkfeed"} {
		if !bytes.Contains(docker, []byte(want)) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	// The image sets no TALKFEED_ADDR, so the daemon and the HEALTHCHECK
	// use port 8080 unless compose sets one: the port the image exposes
	// and compose publishes ([HOST_IP:]HOST:CONTAINER[/PROTO]).
	daemonPort := configuredPort(t, env["TALKFEED_ADDR"])
	if m := regexp.MustCompile(`(?m)^EXPOSE\s+(\d+)`).FindSubmatch(docker); m == nil || string(m[1]) != strconv.Itoa(daemonPort) {
		t.Errorf("the Dockerfile does not EXPOSE the daemon's port %d", daemonPort)
	}
	mapping := strings.Split(strings.TrimSuffix(s.Ports[0], "/tcp"), ":")
	if got := mapping[len(mapping)-1]; got != strconv.Itoa(daemonPort) {
		t.Errorf("compose publishes container port %s, the daemon listens on %d", got, daemonPort)
	}

	// The image's HEALTHCHECK command, pointed at the port the daemon
	// picked.
	healthcheck := func(port int) error {
		cmd := exec.Command(talkfeed(t), "healthcheck")
		cmd.Env = append(baseEnv(t), "TALKFEED_ADDR=:"+strconv.Itoa(port))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	port := 0
	runProbeAnd(t, args, env, []string{"/healthz", "/readyz"}, func(p int) {
		port = p
		if err := healthcheck(port); err != nil {
			t.Errorf("the HEALTHCHECK fails against a healthy daemon: %v", err)
		}
	})
	if port != 0 && healthcheck(port) == nil {
		t.Error("the HEALTHCHECK passes with the daemon stopped")
	}
}
