// Package s3 implements blob.Store on an S3 bucket through aws-sdk-go-v2.
// Keys are stored below an optional prefix in the bucket. Objects of at most
// the part size (50 MiB by default) are written with one PutObject and larger
// ones as a parallel multipart upload with parts of exactly that size, so
// every ETag equals the content hash of the hashing package (type "md5" or
// "md5-<n>"). Failed or cancelled uploads are aborted and leave nothing
// behind. Download fetches large objects with parallel ranged GETs.
package s3
