"""LocalStack plugin for stackr's tests: adds elbv2 and autoscaling (moto-backed) providers."""
