// Package deploy tests what runs talkfeed elsewhere, without a container
// engine: the Kubernetes manifests decode strictly into the official API
// types, the Marathon app, systemd unit, compose file and Dockerfile have
// the shape they need, and the real binary, started with the arguments,
// environment and port each one gives it, answers the paths its probes and
// health checks name.
//
// Two things are translated, since no cluster or network is here: the
// talk source becomes the repository's demo talks (a folder) instead of
// the git URL, and paths the manifests mount become temporary folders.
package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// listenPort is the manifest's port when it is free here, else a free
// one: the daemon must start either way.
func listenPort(t *testing.T, want int) int {
	t.Helper()
	if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(want)); err == nil {
		l.Close()
		return want
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Logf("port %d is busy here; using %d", want, l.Addr().(*net.TCPAddr).Port)
	return l.Addr().(*net.TCPAddr).Port
}

// runAndProbe starts the binary and asks each path until it answers 200.
func runAndProbe(t *testing.T, args []string, env map[string]string, port int, paths ...string) {
	t.Helper()
	runProbeAnd(t, args, env, port, paths, nil)
}

// runProbeAnd is runAndProbe, then runs during while the daemon is up.
func runProbeAnd(t *testing.T, args []string, env map[string]string, port int, paths []string, during func()) {
	t.Helper()
	cmd := exec.Command(talkfeed(t), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exit after SIGTERM: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("no exit after SIGTERM")
		}
		if t.Failed() {
			t.Logf("talkfeed %s\n%s", strings.Join(args, " "), logs.String())
		}
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	for _, p := range paths {
		url := "http://127.0.0.1:" + strconv.Itoa(port) + p
		deadline := time.Now().Add(20 * time.Second)
		for {
			res, err := client.Get(url)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never answered 200 (last: %v %v)", url, res, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if during != nil {
		during()
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
	env["TALKFEED_SOURCE"] = demoTalks(t) // no network here
	port := listenPort(t, int(portNamed["http"]))
	env["TALKFEED_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	runAndProbe(t, append(c.Command, c.Args...), env, port, c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path, "/feed.rss")
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
	env["TALKFEED_SOURCE"] = demoTalks(t)
	env["TALKFEED_CACHE_DIR"] = t.TempDir()
	port := listenPort(t, app.Container.PortMappings[0].ContainerPort)
	env["TALKFEED_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	runAndProbe(t, app.Args, env, port, hc.Path, rc.Path)
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
	port := listenPort(t, 8080)
	env["TALKFEED_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	runAndProbe(t, fields[1:], env, port, "/healthz", "/readyz")
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
	}
	decodeStrict(t, "compose.yaml", &compose)
	s, ok := compose.Services["talkfeed"]
	if !ok || s.Build.Dockerfile != "deploy/Dockerfile" || len(s.Ports) != 1 || len(s.Volumes) != 1 {
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
	hostPort, _, _ := strings.Cut(s.Ports[0], ":")
	want, _ := strconv.Atoi(hostPort)
	port := listenPort(t, want)
	env := map[string]string{"TALKFEED_ADDR": "127.0.0.1:" + strconv.Itoa(port), "TALKFEED_CACHE_DIR": t.TempDir()}
	for k, v := range s.Environment {
		env[k] = v
	}

	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "FROM scratch", "USER 65532:65532", "ca-certificates.crt", `HEALTHCHECK`, `CMD ["/talkfeed", "healthcheck"]`, `ENTRYPOINT ["/talkfeed"]`} {
		if !bytes.Contains(docker, []byte(want)) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	// The image's HEALTHCHECK command, with the image's environment.
	healthcheck := func() error {
		cmd := exec.Command(talkfeed(t), "healthcheck")
		cmd.Env = append(os.Environ(), "TALKFEED_ADDR=:"+strconv.Itoa(port))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	runProbeAnd(t, args, env, port, []string{"/healthz", "/readyz"}, func() {
		if err := healthcheck(); err != nil {
			t.Errorf("the HEALTHCHECK fails against a healthy daemon: %v", err)
		}
	})
	if healthcheck() == nil {
		t.Error("the HEALTHCHECK passes with the daemon stopped")
	}
}
