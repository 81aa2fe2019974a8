class _V: 
    @classmethod
    def as_view(cls): return lambda r: None
HearingListView=HearingDetailView=_V
