package deploy

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// required are the settings a deployment of several replicas cannot do
// without: one database, the same signing keys everywhere, one bucket.
var required = []string{
	"DATABASE_URL", "CLIPCUT_SECRET_KEYS",
	"CLIPCUT_S3_ENDPOINT", "CLIPCUT_S3_BUCKET", "CLIPCUT_S3_ACCESS_KEY", "CLIPCUT_S3_SECRET_KEY",
}

var configVar = regexp.MustCompile(`^(CLIPCUT_[A-Z0-9_]+|DATABASE_URL)$`)

// secretFileVar finds the <NAME>_FILE variables --help names: a secret read
// from a mounted file (Docker and Kubernetes secrets) instead of the
// variable itself.
var secretFileVar = regexp.MustCompile(`\b(?:CLIPCUT_[A-Z0-9_]+|DATABASE_URL)_FILE\b`)

// configVars returns the environment variables each clipcut command reads,
// as `clipcut <command> --help` lists them: the configuration itself, not
// a copy of it.
var configVars = sync.OnceValues(func() (map[string]map[string]bool, error) {
	dir, err := os.MkdirTemp("", "clipcut-deploy-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "clipcut")
	if out, err := exec.Command("go", "build", "-o", bin, "../server").CombinedOutput(); err != nil {
		return nil, &buildError{err: err, out: out}
	}
	vars := map[string]map[string]bool{}
	for _, mode := range []string{"serve", "api", "worker", "migrate"} {
		out, err := exec.Command(bin, mode, "--help").Output()
		if err != nil {
			return nil, err
		}
		vars[mode] = map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 1 && configVar.MatchString(f[1]) {
				vars[mode][f[1]] = true
			}
		}
		for _, name := range secretFileVar.FindAllString(string(out), -1) {
			if vars[mode][strings.TrimSuffix(name, "_FILE")] {
				vars[mode][name] = true
			}
		}
	}
	return vars, nil
})

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

func modeVars(t *testing.T, mode string) map[string]bool {
	t.Helper()
	vars, err := configVars()
	require.NoError(t, err)
	require.NotEmpty(t, vars[mode], "clipcut %s --help lists its variables", mode)
	return vars[mode]
}

// checkEnv requires every clipcut-looking name in env to be a variable of
// clipcut in mode ("any": of some command, for settings shared by API and
// workers), and the required ones to be present.
func checkEnv(t *testing.T, where, mode string, env []string, needRequired bool) {
	t.Helper()
	known := map[string]bool{}
	modes := []string{mode}
	if mode == "any" {
		modes = []string{"serve", "api", "worker", "migrate"}
	}
	for _, m := range modes {
		maps.Copy(known, modeVars(t, m))
	}
	for _, name := range env {
		if strings.HasPrefix(name, "CLIPCUT_") || strings.HasPrefix(name, "DATABASE_URL") {
			require.True(t, known[name], "%s sets %s, which clipcut %s does not read", where, name, mode)
		}
	}
	if needRequired {
		for _, name := range required {
			require.True(t, slices.Contains(env, name) || slices.Contains(env, name+"_FILE"), "%s lacks %s (or %s_FILE)", where, name, name)
		}
	}
}

func TestComposeFileDescribesAScalableDeployment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts, err := cli.NewProjectOptions([]string{"../compose.yaml"},
		cli.WithWorkingDirectory(".."),
		cli.WithEnvFiles("../.env.example"),
		cli.WithDotEnv,
		cli.WithName("clipcut"),
	)
	require.NoError(t, err)
	project, err := opts.LoadProject(ctx)
	require.NoError(t, err, "compose.yaml loads with .env.example")

	for _, name := range []string{"postgres", "minio", "createbucket", "migrate", "api", "worker"} {
		_, err := project.GetService(name)
		require.NoError(t, err, "service %s", name)
	}
	for _, name := range []string{"postgres", "minio", "api", "worker"} {
		svc, _ := project.GetService(name)
		require.NotNil(t, svc.HealthCheck, "%s has a healthcheck", name)
		require.NotEmpty(t, svc.HealthCheck.Test, "%s has a healthcheck", name)
	}
	api, _ := project.GetService("api")
	require.Contains(t, strings.Join(api.HealthCheck.Test, " "), "/ready")
	require.Equal(t, []string{"api"}, []string(api.Command))
	// Scalable: no fixed single host port.
	require.Len(t, api.Ports, 1)
	require.Equal(t, uint32(8080), api.Ports[0].Target)
	require.Contains(t, api.Ports[0].Published, "-", "a port range, so that --scale api=N works")
	worker, _ := project.GetService("worker")
	require.Equal(t, []string{"worker"}, []string(worker.Command))
	require.Empty(t, worker.Ports)
	for _, svc := range []types.ServiceConfig{api, worker} {
		require.Contains(t, svc.DependsOn, "createbucket")
		require.Equal(t, types.ServiceConditionCompletedSuccessfully, svc.DependsOn["createbucket"].Condition)
		require.Equal(t, types.ServiceConditionCompletedSuccessfully, svc.DependsOn["migrate"].Condition)
		var names []string
		for k, v := range svc.Environment {
			require.NotNil(t, v, "%s: %s has a value", svc.Name, k)
			names = append(names, k)
		}
		// The environment is shared by both (x-clipcut).
		checkEnv(t, "compose service "+svc.Name, "any", names, true)
	}
	require.Equal(t, "1", *worker.Environment["CLIPCUT_MEDIA_WORKERS"])
	migrate, _ := project.GetService("migrate")
	require.Equal(t, []string{"migrate"}, []string(migrate.Command))
	checkEnv(t, "compose service migrate", "migrate", keys(migrate.Environment), false)
	bucket, _ := project.GetService("createbucket")
	require.Contains(t, strings.Join(bucket.Command, " "), "mc mb --ignore-existing local/clipcut")
	require.Equal(t, "clipcut", *api.Environment["CLIPCUT_S3_BUCKET"], "createbucket creates the bucket clipcut uses")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEnvExampleNamesOnlyRealSettings(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../.env.example")
	require.NoError(t, err)
	var names []string
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if name, _, ok := strings.Cut(line, "="); ok && !strings.Contains(name, " ") {
			names = append(names, name)
		}
	}
	require.Contains(t, names, "CLIPCUT_SECRET_KEYS")
	checkEnv(t, ".env.example", "serve", names, false)
}

// buildOverlay runs kustomize on the example overlay, from an in-memory
// copy of deploy/kubernetes.
func buildOverlay(t *testing.T) map[string][]byte {
	t.Helper()
	mem := filesys.MakeFsInMemory()
	require.NoError(t, filepath.WalkDir("kubernetes", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return mem.WriteFile("/"+p, b)
	}))
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, "/kubernetes/overlays/example")
	require.NoError(t, err)
	objects := map[string][]byte{}
	for _, r := range res.Resources() {
		b, err := r.AsYAML()
		require.NoError(t, err)
		objects[r.GetKind()+"/"+r.GetName()] = b
	}
	return objects
}

// decode parses a manifest strictly: an unknown or misspelt field fails.
func decode[T any](t *testing.T, objects map[string][]byte, id string) *T {
	t.Helper()
	b, ok := objects[id]
	require.True(t, ok, "the overlay has %s; it has %v", id, keys(objects))
	var v T
	require.NoError(t, yaml.UnmarshalStrict(b, &v), "%s:\n%s", id, b)
	return &v
}

func TestKubernetesOverlayBuildsAndMatchesTheConfig(t *testing.T) {
	t.Parallel()
	objects := buildOverlay(t)

	var configMap *corev1.ConfigMap
	var secret *corev1.Secret
	for id := range objects {
		switch {
		case strings.HasPrefix(id, "ConfigMap/clipcut-config"):
			configMap = decode[corev1.ConfigMap](t, objects, id)
		case strings.HasPrefix(id, "Secret/clipcut-secrets"):
			secret = decode[corev1.Secret](t, objects, id)
		}
	}
	require.NotNil(t, configMap)
	require.NotNil(t, secret)
	require.Equal(t, "clipcut", configMap.Namespace)
	require.Equal(t, "https://video.example.com", configMap.Data["CLIPCUT_PUBLIC_URL"], "the overlay's literals merge into the base")

	for _, c := range []struct{ name, mode string }{{"clipcut-api", "api"}, {"clipcut-worker", "worker"}} {
		d := decode[appsv1.Deployment](t, objects, "Deployment/"+c.name)
		require.Equal(t, "clipcut", d.Namespace)
		spec := d.Spec.Template.Spec
		require.Len(t, spec.Containers, 1)
		ctr := spec.Containers[0]
		require.Equal(t, "ghcr.io/example/clipcut:1.0.0", ctr.Image)
		require.Equal(t, []string{c.mode}, ctr.Args)
		require.Equal(t, int32(8080), ctr.Ports[0].ContainerPort)
		require.Equal(t, "http", ctr.Ports[0].Name)
		for probe, path := range map[*corev1.Probe]string{ctr.LivenessProbe: "/health", ctr.ReadinessProbe: "/ready"} {
			require.NotNil(t, probe, "%s probes %s", c.name, path)
			require.Equal(t, path, probe.HTTPGet.Path)
			require.Equal(t, "http", probe.HTTPGet.Port.String())
		}
		require.False(t, ctr.Resources.Requests.Cpu().IsZero(), "%s requests CPU (the HPA needs it)", c.name)
		require.False(t, ctr.Resources.Limits.Memory().IsZero(), "%s has a memory limit", c.name)

		// Every variable it gets, directly or from the ConfigMap and the
		// Secret, is a setting of its command; the required ones are set.
		var names []string
		for _, e := range ctr.Env {
			names = append(names, e.Name)
		}
		checkEnv(t, "Deployment "+c.name+" env", c.mode, names, false)
		for _, from := range ctr.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				require.Equal(t, configMap.Name, from.ConfigMapRef.Name, "the generated name is substituted")
				names = append(names, keys(configMap.Data)...)
			case from.SecretRef != nil:
				require.Equal(t, secret.Name, from.SecretRef.Name)
				names = append(names, keys(secret.Data)...)
				names = append(names, keys(secret.StringData)...)
			}
		}
		checkEnv(t, "Deployment "+c.name+" with its ConfigMap and Secret", "any", names, true)
		require.Contains(t, names, "CLIPCUT_SHUTDOWN_TIMEOUT")
		require.NotNil(t, spec.TerminationGracePeriodSeconds)
		require.Greater(t, *spec.TerminationGracePeriodSeconds, int64(30), "room for the shutdown deadline")
	}
	worker := decode[appsv1.Deployment](t, objects, "Deployment/clipcut-worker")
	require.Equal(t, int32(3), *worker.Spec.Replicas, "the overlay's patch applies")

	svc := decode[corev1.Service](t, objects, "Service/clipcut-api")
	require.Equal(t, "api", svc.Spec.Selector["app.kubernetes.io/component"])
	hpa := decode[autoscalingv2.HorizontalPodAutoscaler](t, objects, "HorizontalPodAutoscaler/clipcut-api")
	require.Equal(t, "clipcut-api", hpa.Spec.ScaleTargetRef.Name)
	require.Equal(t, "Deployment", hpa.Spec.ScaleTargetRef.Kind)
	require.Len(t, hpa.Spec.Metrics, 1)
	require.Equal(t, corev1.ResourceCPU, hpa.Spec.Metrics[0].Resource.Name)
	require.GreaterOrEqual(t, *hpa.Spec.MinReplicas, int32(2))
	decode[policyv1.PodDisruptionBudget](t, objects, "PodDisruptionBudget/clipcut-api")
	decode[corev1.Service](t, objects, "Service/clipcut-worker-metrics")
	decode[corev1.Namespace](t, objects, "Namespace/clipcut")

	ing := decode[networkingv1.Ingress](t, objects, "Ingress/clipcut")
	require.Equal(t, "0", ing.Annotations["nginx.ingress.kubernetes.io/proxy-body-size"], "no body size limit")
	require.Equal(t, "off", ing.Annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"], "uploads stream through")
	require.Equal(t, "3600", ing.Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"])
	require.Equal(t, "3600", ing.Annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"])
	backend := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	require.Equal(t, "clipcut-api", backend.Name)
	require.Equal(t, "http", backend.Port.Name)
	require.Equal(t, "video.example.com", ing.Spec.Rules[0].Host)
	require.Len(t, ing.Spec.TLS, 1)

	for id := range objects {
		kind, _, _ := strings.Cut(id, "/")
		require.True(t, slices.Contains([]string{"ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler",
			"PodDisruptionBudget", "Ingress", "Namespace"}, kind), "unchecked object %s", id)
	}
}

func TestDockerfileParsesAndShipsTheMediaTools(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	res, err := parser.Parse(f)
	require.NoError(t, err)
	require.Empty(t, res.Warnings)
	var stages []string
	var apt, entrypoint string
	for _, n := range res.AST.Children {
		switch strings.ToLower(n.Value) {
		case "from":
			stages = append(stages, n.Original)
		case "run":
			if strings.Contains(n.Original, "apt-get install") {
				apt = n.Original
			}
		case "entrypoint":
			entrypoint = n.Original
		}
	}
	require.GreaterOrEqual(t, len(stages), 3, "multi-stage: web app, binary, runtime")
	for _, pkg := range []string{"ffmpeg", "pocketsphinx", "pocketsphinx-en-us"} {
		require.Regexp(t, `\s`+regexp.QuoteMeta(pkg)+`(\s|$)`, apt, "the runtime image installs %s", pkg)
	}
	require.Contains(t, entrypoint, "/usr/local/bin/clipcut")
}

func TestSecretsMayComeFromFiles(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"serve", "api", "worker"} {
		vars := modeVars(t, mode)
		for _, name := range required {
			if name == "CLIPCUT_S3_ENDPOINT" || name == "CLIPCUT_S3_BUCKET" {
				continue
			}
			require.True(t, vars[name+"_FILE"], "clipcut %s --help names %s_FILE", mode, name)
		}
	}
}
