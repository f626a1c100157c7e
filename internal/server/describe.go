package server

import (
	"context"

	"github.com/lamin-go/lamin/internal/records"
)

// The describe cards are built in internal/records, shared with the CLI's
// `lamin describe --format json`.

func (s *Server) describeArtifact(ctx context.Context, uid string) (*records.ArtifactCard, error) {
	return records.DescribeArtifact(ctx, s.in, uid)
}

func (s *Server) describeRun(ctx context.Context, uid string) (*records.RunCard, error) {
	return records.DescribeRun(ctx, s.in, uid)
}

func (s *Server) describeTransform(ctx context.Context, uid string) (*records.TransformCard, error) {
	return records.DescribeTransform(ctx, s.in, uid)
}
