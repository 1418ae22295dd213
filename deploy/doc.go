// Package deploy holds clipcut's deployment files for several replicas:
// Kubernetes manifests (kustomize) under kubernetes/, next to compose.yaml,
// .env.example and the Dockerfile at the repository root. It has no code:
// its tests load those files with the tools' own Go libraries
// (compose-go, kustomize, the Kubernetes API types) and check them against
// clipcut's configuration, so that they cannot drift apart unnoticed. The
// heavy dependencies stay out of the clipcut binary.
package deploy
