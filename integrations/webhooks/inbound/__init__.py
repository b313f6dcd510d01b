"""Events partners send us: the receiver, its signature schemes, the inbox and its drain, the handler registry."""
