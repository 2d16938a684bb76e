package lower

import "go/types"

type (
	typesVar    = types.Var
	typesObject = types.Object
	typesSlice  = types.Slice
)
